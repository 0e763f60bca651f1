// Who may call, on the real app under the local host with the lab's token issuer, both ways: behind App Service
// Authentication (the host plays Easy Auth, token store on) and with nothing in front (WEBSITE_AUTH_ENABLED unset,
// as an app where Easy Auth does not run). Either way the app validates the caller's token itself: a valid token
// is the caller, its roles decide; a forged principal header, a forged token or a token-store header the platform
// did not put there are never enough.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FailoverApi } from "../../local/drill/api";
import { APP_DIR } from "../../local/drill/stack";
import { spawnHost, type SpawnedHost } from "../../local/host/spawn";
import { labSignInLink } from "../../local/host/lab-sign-in";
import { appSettingsFor } from "../../local/lab/app-settings";
import { MONITORS_OFF } from "../../local/bench/monitors-off";
import { start, type Stack } from "./helpers";

const forgedPrincipal = {
  "x-ms-client-principal": Buffer.from(
    JSON.stringify({
      auth_typ: "aad",
      claims: [
        { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "oid-mallory" },
        { typ: "name", val: "Mallory" },
        { typ: "roles", val: "Failover.Request" },
        { typ: "roles", val: "Failover.Approve" },
        { typ: "roles", val: "Failover.Read" },
      ],
    }),
  ).toString("base64"),
  "x-ms-client-principal-id": "oid-mallory",
  "x-ms-client-principal-name": "Mallory",
  "x-ms-client-principal-idp": "aad",
};

let stack: Stack;
let work: string;
let bare: SpawnedHost;
const hosts: Record<"easyAuth" | "bare", () => string> = {
  easyAuth: () => stack.host.url,
  bare: () => bare.url,
};

before(async () => {
  stack = await start();
  // The same app and lab with nothing in front: no WEBSITE_AUTH_ENABLED, no Easy Auth settings.
  work = mkdtempSync(join(tmpdir(), "pgflex-callers-"));
  const settingsFile = join(work, "local.settings.json");
  const values = { ...appSettingsFor(stack.lab.info, { auth: false }), ...MONITORS_OFF };
  assert.equal(values.WEBSITE_AUTH_ENABLED, undefined);
  writeFileSync(settingsFile, JSON.stringify({ IsEncrypted: false, Values: values }), { mode: 0o600 });
  bare = await spawnHost({ appDir: APP_DIR, settingsFile, dataDir: join(work, "data"), readyTimeoutMs: 60_000 });
});
after(async () => {
  await bare?.stop().catch(() => undefined);
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function call(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* Easy Auth's refusal is text */
  }
  return { status: res.status, text, json };
}

for (const mode of ["easyAuth", "bare"] as const) {
  describe(`the app verifies its callers itself (${mode === "easyAuth" ? "behind Easy Auth" : "nothing in front"})`, () => {
    it("a lab user's bearer token is the caller: object id, name and app roles from the token", async () => {
      const api = new FailoverApi(hosts[mode](), {
        token: await stack.lab.token({ user: "bob", roles: ["Failover.Read", "Failover.Approve"] }),
      });
      const me = await api.get<{ oid: string; name: string; roles: string[] }>("/api/me");
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.deepEqual(me.body, {
        oid: stack.lab.identity.user("bob").oid,
        name: "Bob",
        roles: ["Failover.Read", "Failover.Approve"],
        idp: "aad",
      });
    });

    it("a forged X-MS-CLIENT-PRINCIPAL claiming every role is never enough: 401 alone, the token's own roles beside a token", async () => {
      const alone = await call(hosts[mode](), "POST", "/api/failovers", forgedPrincipal, {
        pair: stack.pair,
        reason: "forged",
      });
      assert.equal(alone.status, 401, alone.text);
      const reader = await stack.lab.token({ user: "carol", roles: ["Failover.Read"] });
      const beside = await call(
        hosts[mode](),
        "POST",
        "/api/failovers",
        { ...forgedPrincipal, authorization: `Bearer ${reader}` },
        { pair: stack.pair, reason: "forged" },
      );
      assert.deepEqual(
        [beside.status, beside.json?.error?.code, beside.json?.error?.message],
        [403, "MissingRole", "Carol does not have the app role Failover.Request"],
      );
      assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, 0, "no ARM write happened");
    });

    it("a forged, an expired or a token-store header nobody vouched for: 401", async () => {
      const forged = await stack.lab.identity.forgedToken({
        user: "alice",
        roles: ["Failover.Request", "Failover.Read"],
      });
      const byForged = await call(hosts[mode](), "GET", "/api/me", { authorization: `Bearer ${forged}` });
      assert.equal(byForged.status, 401);
      const expired = await stack.lab.token({ user: "alice", roles: ["Failover.Read"], expiresInSeconds: -3600 });
      assert.equal((await call(hosts[mode](), "GET", "/api/me", { authorization: `Bearer ${expired}` })).status, 401);
      // A genuine token in the token store's header, sent by the client itself with no session behind it.
      const genuine = await stack.lab.token({ user: "alice", roles: ["Failover.Read"] });
      const byHeader = await call(hosts[mode](), "GET", "/api/me", { "x-ms-token-aad-id-token": genuine });
      assert.equal(byHeader.status, 401, byHeader.text);
      if (mode === "bare") {
        // The app's own refusals say why, and never repeat the token.
        assert.match(byForged.json.error.message, /Authorization: the token's signature does not verify/);
        assert.match(
          byHeader.json.error.message,
          /send an Entra access token for this app \(Authorization: Bearer …\)/,
        );
        assert.ok(!byForged.text.includes(forged.split(".")[1]!));
      }
    });
  });
}

describe("behind Easy Auth, a browser session counts through the token it passes the app", () => {
  it("a lab sign-in link's session (cookie, no Authorization) is its user, validated by the app", async () => {
    const token = await stack.lab.token({ user: "dave", roles: ["Failover.Read"] });
    const link = await labSignInLink(stack.host.url, token, "/api/me");
    const signIn = await fetch(link, { redirect: "manual" });
    assert.equal(signIn.status, 302);
    const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
    const me = await call(stack.host.url, "GET", "/api/me", { cookie });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(
      [me.json.name, me.json.oid, me.json.roles],
      ["Dave", stack.lab.identity.user("dave").oid, ["Failover.Read"]],
    );
  });
});
