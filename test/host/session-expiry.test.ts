// A session lasts as long as its token: the token is validated again on every request, so once it has
// expired (past Easy Auth's 5-minute clock skew) the session is over; lab tickets expire with their token
// too. In process, with the host's clock moved by hand.
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { parseAuthSettingsV2 } from "../../local/host/auth-settings";
import { SESSION_COOKIE } from "../../local/host/auth-sessions";
import { EasyAuth } from "../../local/host/easy-auth";
import type { Logger } from "../../local/host/log";
import { CLOCK_SKEW_SECONDS } from "../../local/host/token-validator";
import { startTestIssuer, type TestIssuer } from "./auth-issuer";
import { removeDir, tempDir } from "./helpers";

const CLIENT_ID = "cid-session-expiry";

/** What a handler wrote: status, headers and body. */
function fakeResponse() {
  const out = { status: 0, headers: {} as Record<string, unknown>, body: "" };
  const res = {
    writeHead(status: number, headers: Record<string, unknown> = {}) {
      out.status = status;
      out.headers = headers;
      return res;
    },
    end(body?: string) {
      out.body = body ?? "";
    },
  };
  return { res: res as unknown as ServerResponse, out };
}

const request = (method: string, headers: Record<string, string> = {}) =>
  ({ method, headers: { ...headers } }) as unknown as IncomingMessage;

describe("sessions end with their token", () => {
  let dir: string;
  let iss: TestIssuer;
  let now: number;
  let easy: EasyAuth;
  const lines: string[] = [];
  before(async () => {
    dir = tempDir("session-expiry");
    iss = await startTestIssuer(dir);
    const settings = parseAuthSettingsV2(
      {
        platform: { enabled: true },
        globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
        identityProviders: {
          azureActiveDirectory: { registration: { openIdIssuer: iss.issuer, clientId: CLIENT_ID } },
        },
      },
      "in-test",
    );
    settings.caPem = iss.caPem;
    const logger: Logger = { host: (m) => lines.push(m), hostError: (m) => lines.push(m), app: () => {} };
    now = Date.now();
    easy = new EasyAuth({ settings, logger, realm: () => "127.0.0.1:1", now: () => now });
  });
  after(async () => {
    await iss?.close();
    removeDir(dir);
  });

  async function signIn(token: string): Promise<string> {
    const { res, out } = fakeResponse();
    await easy.endpoint(request("POST"), res, new URL("http://h/.auth/login/aad"), async () =>
      Buffer.from(JSON.stringify({ access_token: token })),
    );
    assert.equal(out.status, 200, out.body);
    return (JSON.parse(out.body) as { authenticationToken: string }).authenticationToken;
  }

  const gate = (headers: Record<string, string>) => {
    const req = request("GET", headers);
    return easy.authenticate(req, new URL("http://h/api/x")).then((refusal) => ({ refusal, req }));
  };

  it("accepts the session until the token's exp plus the clock skew, then refuses it and forgets it", async () => {
    const exp = Math.floor(now / 1000) + 600;
    const session = await signIn(await iss.token(CLIENT_ID, { exp }));
    const cookie = { cookie: `${SESSION_COOKIE}=${session}` };

    now = (exp + CLOCK_SKEW_SECONDS - 5) * 1000;
    const inTime = await gate(cookie);
    assert.equal(inTime.refusal, null);
    assert.ok(inTime.req.headers["x-ms-client-principal"], "the principal is injected");

    now = (exp + CLOCK_SKEW_SECONDS + 5) * 1000;
    const late = await gate(cookie);
    assert.equal(late.refusal?.status, 401);
    assert.equal(late.req.headers["x-ms-client-principal"], undefined);
    assert.equal((await gate({ "x-zumo-auth": session })).refusal?.status, 401, "X-ZUMO-AUTH too");
    assert.equal(easy.sessions.token(session), undefined, "the session is gone");
    assert.ok(lines.some((l) => /session cookie not accepted/.test(l)));
  });

  it("a lab ticket expires with its token, and a session opened from it too", async () => {
    now = Date.now();
    const exp = Math.floor(now / 1000) + 60;
    const token = await iss.token(CLIENT_ID, { exp });
    const mint = () => {
      const { res, out } = fakeResponse();
      return easy
        .endpoint(request("POST"), res, new URL("http://h/.auth/lab/ticket"), async () =>
          Buffer.from(JSON.stringify({ access_token: token })),
        )
        .then(() => JSON.parse(out.body) as { ticket: string; expiresAt: string });
    };
    const stale = await mint();
    assert.equal(stale.expiresAt, new Date((exp + CLOCK_SKEW_SECONDS) * 1000).toISOString());
    const fresh = await mint();
    const follow = async (ticket: string) => {
      const { res, out } = fakeResponse();
      await easy.endpoint(request("GET"), res, new URL(`http://h/.auth/lab/signin?ticket=${ticket}`), async () =>
        Buffer.alloc(0),
      );
      return out;
    };
    const ok = await follow(fresh.ticket);
    assert.deepEqual([ok.status, ok.headers.location], [302, "/"]);
    now = (exp + CLOCK_SKEW_SECONDS + 1) * 1000;
    assert.equal((await follow(stale.ticket)).status, 401, "an unused ticket expires with its token");
    const session = /AppServiceAuthSession=([^;]+)/.exec(String(ok.headers["set-cookie"]))![1]!;
    assert.equal((await gate({ cookie: `${SESSION_COOKIE}=${session}` })).refusal?.status, 401);
  });
});
