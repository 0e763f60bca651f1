// Browser sessions of the host's App Service Authentication, end to end: the client-directed sign-in
// (POST /.auth/login/aad {access_token}) gives a session that works as the AppServiceAuthSession cookie and
// as X-ZUMO-AUTH, with the same principal headers as the bearer token; sign-out ends it; the lab's
// single-use sign-in links open a session in the browser that follows them. The fixture app echoes the
// headers that reach it; tokens come from an in-test issuer over HTTPS.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { SESSION_COOKIE } from "../../local/host/auth-sessions";
import { REFUSAL_BODY } from "../../local/host/easy-auth";
import { labSignInLink } from "../../local/host/lab-sign-in";
import { newSigningKey, startTestIssuer, type TestIssuer } from "./auth-issuer";
import { removeDir, startFixtureHost, tempDir, type TestHost } from "./helpers";

const AUTH_APP = resolve(__dirname, "../../../test/fixtures/auth-app");
const CLIENT_ID = "5a0c7a7e-2f0e-4a43-9d1e-6f0b3c2d1e0f";

const FORGED = {
  "x-ms-client-principal": Buffer.from(
    JSON.stringify({ auth_typ: "aad", claims: [{ typ: "roles", val: "Failover.Approve" }] }),
  ).toString("base64"),
  "x-ms-client-principal-name": "mallory@evil.example",
};

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One request, redirects not followed (their Location and Set-Cookie are what is tested). */
async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    redirect: "manual",
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json } as Answer;
}

const cookieOf = (a: Answer): string | undefined =>
  a.headers
    .getSetCookie()
    .map((c) => new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(c)?.[1])
    .find((v) => v !== undefined);
const withCookie = (session: string) => ({ cookie: `theme=dark; ${SESSION_COOKIE}=${session}` });
const echoed = (a: Answer) => a.json.headers as Record<string, string>;

describe("App Service Authentication sessions (Return401)", () => {
  let dir: string;
  let iss: TestIssuer;
  let h: TestHost;
  let url: (path: string) => string;
  before(async () => {
    dir = tempDir("sessions");
    iss = await startTestIssuer(dir);
    const authFile = join(dir, "auth.json");
    writeFileSync(
      authFile,
      JSON.stringify({
        platform: { enabled: true },
        globalValidation: {
          requireAuthentication: true,
          unauthenticatedClientAction: "Return401",
          excludedPaths: ["/api/health"],
        },
        identityProviders: {
          azureActiveDirectory: { enabled: true, registration: { openIdIssuer: iss.issuer, clientId: CLIENT_ID } },
        },
      }),
    );
    h = await startFixtureHost({
      appDir: AUTH_APP,
      env: {
        WEBSITE_AUTH_ENABLED: "True",
        LOCALHOST_AUTH_SETTINGS_FILE: authFile,
        LOCALHOST_AUTH_CA_FILE: iss.caFile,
      },
    });
    url = (path) => `${h.url}${path}`;
  });
  after(async () => {
    await h?.stop();
    await iss?.close();
    removeDir(h?.dataDir ?? "");
    removeDir(dir);
  });

  it("client-directed sign-in: a session cookie and an authenticationToken, each giving the bearer token's principal", async () => {
    const token = await iss.token(CLIENT_ID, { roles: ["Failover.Read", "Failover.Approve"] });
    const login = await call(url("/.auth/login/aad"), { method: "POST", body: { access_token: token } });
    assert.equal(login.status, 200, login.text);
    assert.match(login.json.authenticationToken, /^[A-Za-z0-9_-]{43}$/);
    assert.match(login.json.user.userId, /^sid:[0-9a-f]{32}$/);
    assert.equal(login.headers.get("cache-control"), "no-store");
    const setCookie = login.headers.getSetCookie().join("\n");
    assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$`));
    const session = cookieOf(login)!;
    assert.equal(session, login.json.authenticationToken, "the cookie carries the same session");

    const byBearer = await call(url("/api/echo"), { headers: { authorization: `Bearer ${token}` } });
    const byCookie = await call(url("/api/echo"), { headers: { ...withCookie(session), ...FORGED } });
    const byZumo = await call(url("/api/echo"), { headers: { "x-zumo-auth": session, ...FORGED } });
    for (const [how, a] of [
      ["cookie", byCookie],
      ["X-ZUMO-AUTH", byZumo],
    ] as const) {
      assert.equal(a.status, 200, `${how}: ${a.text}`);
      for (const header of [
        "x-ms-client-principal",
        "x-ms-client-principal-id",
        "x-ms-client-principal-name",
        "x-ms-client-principal-idp",
      ])
        assert.equal(echoed(a)[header], echoed(byBearer)[header], `${how}: ${header} as with the bearer token`);
    }
    assert.equal(echoed(byCookie)["x-ms-client-principal-name"], "dana@contoso.example", "forged headers replaced");
  });

  it("session_mode=token: no cookie, the authenticationToken alone", async () => {
    const token = await iss.token(CLIENT_ID);
    const login = await call(url("/.auth/login/aad?session_mode=token"), {
      method: "POST",
      body: { access_token: token },
    });
    assert.equal(login.status, 200);
    assert.deepEqual(login.headers.getSetCookie(), []);
    assert.equal(
      (await call(url("/api/echo"), { headers: { "x-zumo-auth": login.json.authenticationToken } })).status,
      200,
    );
  });

  it("refuses a bad sign-in: forged or expired token 401, no token or not JSON 400; no session either way", async () => {
    const forged = await call(url("/.auth/login/aad"), {
      method: "POST",
      // Same claims and key id, another key: only the signature check can refuse it.
      body: { access_token: await iss.token(CLIENT_ID, {}, { key: await newSigningKey(iss.key.kid) }) },
    });
    assert.equal(forged.status, 401);
    assert.match(forged.json.message, /access token rejected: signature verification failed/);
    assert.deepEqual(forged.headers.getSetCookie(), []);
    const now = Math.floor(Date.now() / 1000);
    const expired = await call(url("/.auth/login/aad"), {
      method: "POST",
      body: { access_token: await iss.token(CLIENT_ID, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }) },
    });
    assert.deepEqual([expired.status, expired.json.message], [401, "access token rejected: token expired"]);
    for (const body of [{}, { access_token: "" }, { id_token: "x" }, "not json"]) {
      const bad = await call(url("/.auth/login/aad"), { method: "POST", body });
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.deepEqual(bad.headers.getSetCookie(), []);
    }
  });

  it("an unknown session: X-ZUMO-AUTH is refused like a bad bearer token; a stale cookie counts as no session", async () => {
    const zumo = await call(url("/api/echo"), { headers: { "x-zumo-auth": "not-a-session" } });
    assert.deepEqual([zumo.status, zumo.text], [401, REFUSAL_BODY]);
    const cookie = await call(url("/api/echo"), { headers: withCookie("not-a-session") });
    assert.deepEqual([cookie.status, cookie.text], [401, REFUSAL_BODY], "Return401 applies");
    assert.equal((await call(url("/api/health"), { headers: withCookie("not-a-session") })).status, 200);
  });

  it("sign-out ends the session, clears the cookie and redirects (to a path on this site only)", async () => {
    const token = await iss.token(CLIENT_ID);
    const login = await call(url("/.auth/login/aad"), { method: "POST", body: { access_token: token } });
    const session = cookieOf(login)!;
    assert.equal((await call(url("/api/echo"), { headers: withCookie(session) })).status, 200);

    const out = await call(url("/.auth/logout"), { headers: withCookie(session) });
    assert.deepEqual([out.status, out.headers.get("location")], [302, "/.auth/logout/done"]);
    assert.match(out.headers.getSetCookie().join("\n"), new RegExp(`^${SESSION_COOKIE}=; .*Max-Age=0`));
    assert.equal((await call(url("/api/echo"), { headers: withCookie(session) })).status, 401, "the session is over");
    assert.equal((await call(url("/api/echo"), { headers: { "x-zumo-auth": session } })).status, 401);
    const done = await call(url("/.auth/logout/done"));
    assert.equal(done.status, 200);
    assert.match(done.text, /You have signed out/);

    const back = await call(url("/.auth/logout?post_logout_redirect_uri=%2Fapi%2Fui%23%2F"));
    assert.deepEqual([back.status, back.headers.get("location")], [302, "/api/ui#/"]);
    for (const target of ["//evil.example/", "https://evil.example/", "/\\evil.example", "api/ui"]) {
      const r = await call(url(`/.auth/logout?post_logout_redirect_uri=${encodeURIComponent(target)}`));
      assert.equal(r.status, 400, target);
    }
  });

  it("lab sign-in links: a ticket per valid token, used once, opens a session and lands on the given path", async () => {
    const token = await iss.token(CLIENT_ID, { roles: ["Failover.Read"] });
    const link = await labSignInLink(h.url, token, "/api/echo#/runs/x");
    assert.match(
      link,
      /\/\.auth\/lab\/signin\?ticket=[A-Za-z0-9_-]{43}&post_login_redirect_uri=%2Fapi%2Fecho%23%2Fruns%2Fx$/,
    );

    // A link whose redirect leaves the site is refused before the ticket is used.
    const foreign = new URL(link);
    foreign.searchParams.set("post_login_redirect_uri", "https://evil.example/");
    assert.equal((await call(foreign.href)).status, 400);

    const first = await call(link);
    assert.deepEqual([first.status, first.headers.get("location")], [302, "/api/echo#/runs/x"]);
    const session = cookieOf(first)!;
    const echo = await call(url("/api/echo"), { headers: withCookie(session) });
    assert.equal(echo.status, 200);
    assert.equal(echoed(echo)["x-ms-client-principal-name"], "dana@contoso.example");

    const again = await call(link);
    assert.equal(again.status, 401, "each link works once");
    assert.match(again.text, /unknown, already used, or expired/);
    assert.deepEqual(again.headers.getSetCookie(), []);

    const refused = await call(url("/.auth/lab/ticket"), { method: "POST", body: { access_token: "eyJ.e30.x" } });
    assert.equal(refused.status, 401);
    await assert.rejects(labSignInLink(h.url, "eyJ.e30.x"), /answered 401/);
  });

  it("serves only Easy Auth's own endpoints under /.auth: no interactive sign-in page, no token store", async () => {
    const page = await call(url("/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fui"));
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(page.text, /no interactive sign-in page/);
    assert.equal((await call(url("/.auth/me"))).status, 404);
    assert.equal((await call(url("/.auth/login/google"))).status, 404);
    const post = await call(url("/.auth/logout"), { method: "POST", body: {} });
    assert.deepEqual([post.status, post.headers.get("allow")], [405, "GET"]);
  });

  it("never logs a token, a session or a ticket", async () => {
    const token = await iss.token(CLIENT_ID);
    const login = await call(url("/.auth/login/aad"), { method: "POST", body: { access_token: token } });
    const link = await labSignInLink(h.url, token);
    const ticket = new URL(link).searchParams.get("ticket")!;
    await call(link);
    const logs = h.logs.join("\n");
    assert.match(logs, /auth: dana@contoso\.example signed in \(client-directed, cookie\)/);
    assert.match(logs, /auth: dana@contoso\.example signed in \(lab sign-in link\)/);
    for (const secret of [token, login.json.authenticationToken as string, ticket])
      assert.ok(!logs.includes(secret), "a secret reached the log");
  });
});

describe("the token store: a session's token reaches the app (X-MS-TOKEN-AAD-*) only when login.tokenStore is on", () => {
  let dir: string;
  let iss: TestIssuer;
  const hosts: Record<"on" | "off", TestHost> = {} as never;
  before(async () => {
    dir = tempDir("token-store");
    iss = await startTestIssuer(dir);
    for (const mode of ["on", "off"] as const) {
      const authFile = join(dir, `auth-${mode}.json`);
      writeFileSync(
        authFile,
        JSON.stringify({
          platform: { enabled: true },
          globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
          identityProviders: {
            azureActiveDirectory: { enabled: true, registration: { openIdIssuer: iss.issuer, clientId: CLIENT_ID } },
          },
          ...(mode === "on" ? { login: { tokenStore: { enabled: true } } } : {}),
        }),
      );
      hosts[mode] = await startFixtureHost({
        appDir: AUTH_APP,
        env: {
          WEBSITE_AUTH_ENABLED: "True",
          LOCALHOST_AUTH_SETTINGS_FILE: authFile,
          LOCALHOST_AUTH_CA_FILE: iss.caFile,
        },
      });
    }
  });
  after(async () => {
    for (const h of Object.values(hosts)) {
      await h?.stop();
      removeDir(h?.dataDir ?? "");
    }
    await iss?.close();
    removeDir(dir);
  });

  const tokenHeaders = (a: Answer) =>
    Object.fromEntries(Object.entries(echoed(a)).filter(([k]) => k.startsWith("x-ms-token-aad-")));

  it("on: an interactive (lab link) session passes its ID token, a client-directed one its access token", async () => {
    const h = hosts.on;
    const token = await iss.token(CLIENT_ID, { roles: ["Failover.Read"] });
    const viaLink = cookieOf(await call(await labSignInLink(h.url, token)))!;
    // A token-store header the client sent itself is replaced by the session's.
    const browser = await call(`${h.url}/api/echo`, {
      headers: { ...withCookie(viaLink), "x-ms-token-aad-id-token": "forged" },
    });
    assert.deepEqual(tokenHeaders(browser), { "x-ms-token-aad-id-token": token });
    const login = await call(`${h.url}/.auth/login/aad`, { method: "POST", body: { access_token: token } });
    const client = await call(`${h.url}/api/echo`, { headers: { "x-zumo-auth": login.json.authenticationToken } });
    assert.deepEqual(tokenHeaders(client), { "x-ms-token-aad-access-token": token });
    // A bearer request has no session: its Authorization header is what reaches the app.
    const bearer = await call(`${h.url}/api/echo`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(tokenHeaders(bearer), {});
    assert.equal(echoed(bearer).authorization, `Bearer ${token}`);
  });

  it("off (or absent): a session passes the principal headers only", async () => {
    const h = hosts.off;
    const token = await iss.token(CLIENT_ID);
    const session = cookieOf(await call(await labSignInLink(h.url, token)))!;
    const a = await call(`${h.url}/api/echo`, { headers: withCookie(session) });
    assert.equal(a.status, 200);
    assert.deepEqual(tokenHeaders(a), {});
    assert.ok(echoed(a)["x-ms-client-principal"]);
    assert.ok(h.logs.some((l) => l.includes("token store off: sessions pass no token to the app")));
  });
});

describe("App Service Authentication off", () => {
  it("serves no /.auth endpoint", async () => {
    const h = await startFixtureHost();
    try {
      assert.equal(
        (await call(`${h.url}/.auth/login/aad`, { method: "POST", body: { access_token: "x" } })).status,
        404,
      );
      assert.equal((await call(`${h.url}/.auth/logout`)).status, 404);
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });
});
