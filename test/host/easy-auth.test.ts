// App Service Authentication played by the host, end to end: the fixture app echoes the headers that
// reach it, tokens come from an in-test issuer over HTTPS (test CA), and the host runs as a child process.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { spawnHost } from "../../local/host/spawn";
import { REFUSAL_BODY } from "../../local/host/easy-auth";
import { newSigningKey, startTestIssuer, type TestIssuer } from "./auth-issuer";
import { http, removeDir, startFixtureHost, tempDir, type TestHost } from "./helpers";

const AUTH_APP = resolve(__dirname, "../../../test/fixtures/auth-app");
const CLIENT_ID = "7d3c1e52-1b7a-4c3e-9a5e-0f1d2c3b4a59";
const API_AUDIENCE = "api://pgflex-failover";
const FK = "fk-auth-test-123";
const MK = "mk-auth-test-456";

const FORGED = {
  "X-MS-CLIENT-PRINCIPAL": Buffer.from(
    JSON.stringify({ auth_typ: "aad", claims: [{ typ: "roles", val: "Failover.Approve" }] }),
  ).toString("base64"),
  "x-ms-client-principal-id": "forged-id",
  "X-Ms-Client-Principal-Name": "mallory@evil.example",
  "X-MS-CLIENT-PRINCIPAL-IDP": "aad",
};

function authSettings(dir: string, issuer: string, globalValidation: Record<string, unknown>): string {
  const file = join(dir, `auth-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      platform: { enabled: true },
      globalValidation,
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: { openIdIssuer: issuer, clientId: CLIENT_ID },
          validation: { allowedAudiences: [API_AUDIENCE] },
        },
      },
    }),
  );
  return file;
}

function settingsFile(dir: string, values: Record<string, string> = {}): string {
  const file = join(dir, `local.settings-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ IsEncrypted: false, Values: values, Host: { FunctionKey: FK, MasterKey: MK } }));
  return file;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const decodePrincipal = (b64: string) =>
  JSON.parse(Buffer.from(b64, "base64").toString("utf8")) as {
    auth_typ: string;
    claims: { typ: string; val: string }[];
    name_typ: string;
    role_typ: string;
  };
const principalHeaderNames = (headers: Record<string, string>) =>
  Object.keys(headers).filter((h) => h.startsWith("x-ms-client-principal"));

describe("App Service Authentication (Return401, excluded paths)", () => {
  let dir: string;
  let iss: TestIssuer;
  let h: TestHost;
  before(async () => {
    dir = tempDir("easyauth");
    iss = await startTestIssuer(dir);
    h = await startFixtureHost({
      appDir: AUTH_APP,
      // WEBSITE_AUTH_ENABLED flows from the settings file, as the platform sets it as an app setting.
      settingsFile: settingsFile(dir, { WEBSITE_AUTH_ENABLED: "True" }),
      env: {
        WEBSITE_AUTH_ENABLED: "",
        LOCALHOST_AUTH_SETTINGS_FILE: authSettings(dir, iss.issuer, {
          requireAuthentication: true,
          unauthenticatedClientAction: "Return401",
          excludedPaths: ["/api/health", "/api/public/*"],
        }),
        LOCALHOST_AUTH_CA_FILE: iss.caFile,
      },
    });
  });
  after(async () => {
    await h?.stop();
    await iss?.close();
    removeDir(h?.dataDir ?? "");
    removeDir(dir);
  });

  it("injects the principal headers for a valid token, built as Easy Auth builds them for aad", async () => {
    const token = await iss.token(API_AUDIENCE, { roles: ["Failover.Read", "Failover.Request"] });
    const r = await http("GET", `${h.url}/api/echo`, undefined, { ...bearer(token), ...FORGED });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = r.body.headers as Record<string, string>;
    assert.equal(got["x-ms-client-principal-idp"], "aad");
    assert.equal(got["x-ms-client-principal-id"], "00000000-0000-0000-0000-0000000000a1");
    assert.equal(got["x-ms-client-principal-name"], "dana@contoso.example");
    const p = decodePrincipal(got["x-ms-client-principal"]!);
    assert.equal(p.auth_typ, "aad");
    assert.equal(p.name_typ, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    assert.equal(p.role_typ, "http://schemas.microsoft.com/ws/2008/06/identity/claims/role");
    const byType = (t: string) => p.claims.filter((c) => c.typ === t).map((c) => c.val);
    // One "roles" entry per role, under the short name; the forged Failover.Approve is gone.
    assert.deepEqual(byType("roles"), ["Failover.Read", "Failover.Request"]);
    assert.deepEqual(byType("http://schemas.microsoft.com/identity/claims/objectidentifier"), [
      "00000000-0000-0000-0000-0000000000a1",
    ]);
    assert.deepEqual(byType("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"), ["sub-dana"]);
    assert.deepEqual(byType("http://schemas.microsoft.com/identity/claims/tenantid"), [iss.tenantId]);
    assert.deepEqual(byType("name"), ["Dana Operator"]);
    assert.deepEqual(byType("preferred_username"), ["dana@contoso.example"]);
    assert.deepEqual(byType("aud"), [API_AUDIENCE]);
    assert.deepEqual(byType("iss"), [iss.issuer]);
    assert.deepEqual(byType("ver"), ["2.0"]);
    assert.match(byType("exp")[0]!, /^\d+$/, "numeric claims as their decimal text");
    assert.equal(byType("oid").length + byType("sub").length + byType("tid").length, 0, "short names are mapped");
    assert.equal(r.body.websiteAuthEnabled, "True", "the app sees WEBSITE_AUTH_ENABLED from the settings");
  });

  it("accepts the clientId as audience besides allowedAudiences", async () => {
    const r = await http("GET", `${h.url}/api/echo`, undefined, bearer(await iss.token(CLIENT_ID)));
    assert.equal(r.status, 200);
    assert.equal(r.body.headers["x-ms-client-principal-idp"], "aad");
  });

  it("accepts a token expired less than the 5-minute clock skew ago", async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await http(
      "GET",
      `${h.url}/api/echo`,
      undefined,
      bearer(await iss.token(API_AUDIENCE, { exp: now - 120 })),
    );
    assert.equal(r.status, 200);
  });

  it("answers 401 with Easy Auth's body and challenge to forged, foreign, expired and malformed tokens", async () => {
    const now = Math.floor(Date.now() / 1000);
    const attacker = await newSigningKey(iss.key.kid);
    const cases: [string, Promise<string> | string][] = [
      ["forged signature (same kid, other key)", iss.token(API_AUDIENCE, {}, { key: attacker })],
      ["unknown kid", iss.token(API_AUDIENCE, {}, { key: attacker, kid: "not-published" })],
      ["wrong audience", iss.token("api://someone-else")],
      ["wrong issuer", iss.token(API_AUDIENCE, { iss: `${iss.issuer}/x` })],
      ["expired beyond the skew", iss.token(API_AUDIENCE, { exp: now - 400, nbf: now - 4000, iat: now - 4000 })],
      ["not yet valid beyond the skew", iss.token(API_AUDIENCE, { nbf: now + 600 })],
      ["no exp", iss.token(API_AUDIENCE, { exp: undefined })],
      ["garbage", "not-a-jwt"],
      ["empty", ""],
    ];
    for (const [what, t] of cases) {
      const r = await http("GET", `${h.url}/api/echo`, undefined, { ...bearer(await t), ...FORGED });
      assert.equal(r.status, 401, what);
      assert.equal(r.body, REFUSAL_BODY, what);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer realm="127\.0\.0\.1:\d+"/, what);
    }
    const log = h.logs.join("\n");
    assert.match(
      log,
      /auth: 401 GET \/api\/echo: bearer token rejected: audience "api:\/\/someone-else" is not allowed/,
    );
    assert.match(log, /bearer token rejected: token expired/);
    assert.match(log, /bearer token rejected: signature verification failed/);
  });

  it("answers 401 to a request without a token, with the issuer's authorize endpoint once known", async () => {
    const r = await http("GET", `${h.url}/api/echo`, undefined, FORGED);
    assert.equal(r.status, 401);
    assert.equal(r.body, REFUSAL_BODY);
    assert.equal(
      r.headers.get("www-authenticate"),
      `Bearer realm="${new URL(h.url).host}" authorization_uri="${iss.issuer.replace("/v2.0", "")}/oauth2/v2.0/authorize"`,
    );
  });

  it("lets excluded paths through unauthenticated, still without client-sent principal headers", async () => {
    for (const path of ["/api/health", "/api/HEALTH/", "/api/public/a/b.txt", "/api/public/x"]) {
      const r = await http("GET", `${h.url}${path}`, undefined, FORGED);
      assert.equal(r.status, 200, path);
      assert.deepEqual(principalHeaderNames(r.body.headers), [], path);
    }
    // Exact match, not prefix; an encoded "/" cannot smuggle a path into an excluded folder.
    assert.equal((await http("GET", `${h.url}/api/healthz`)).status, 401);
    assert.equal((await http("GET", `${h.url}/api/public`)).status, 401);
    assert.equal((await http("GET", `${h.url}/api/files/..%2Fpublic%2Fx`)).status, 401);
    // A bad token on an excluded path is not looked at.
    assert.equal((await http("GET", `${h.url}/api/health`, undefined, bearer("not-a-jwt"))).status, 200);
  });

  it("keeps function keys independent: a token does not replace the key, nor the key the token", async () => {
    const token = await iss.token(API_AUDIENCE);
    const noKey = await http("GET", `${h.url}/api/keyed/echo`, undefined, bearer(token));
    assert.equal(noKey.status, 401);
    assert.equal(noKey.headers.get("www-authenticate"), null, "refused by the Functions host, not Easy Auth");
    assert.deepEqual(noKey.body, { message: "Unauthorized" });
    assert.equal((await http("GET", `${h.url}/api/keyed/echo?code=${FK}`)).status, 401, "key without token");
    const both = await http("GET", `${h.url}/api/keyed/echo?code=${FK}`, undefined, bearer(token));
    assert.equal(both.status, 200);
    assert.equal(both.body.headers["x-ms-client-principal-id"], "00000000-0000-0000-0000-0000000000a1");
  });

  it("covers the Durable HTTP API but not the admin API or the durable client's RPC base", async () => {
    const webhook = `${h.url}/runtime/webhooks/durabletask/instances/nope?code=${MK}`;
    assert.equal((await http("GET", webhook)).status, 401);
    assert.equal((await http("GET", webhook, undefined, bearer(await iss.token(API_AUDIENCE)))).status, 404);
    assert.equal((await http("GET", `${h.url}/admin/host/status?code=${MK}`)).status, 200);
  });

  it("never logs a token", () => {
    const log = h.logs.join("\n");
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(log), log);
  });
});

describe("App Service Authentication (AllowAnonymous, Return403)", () => {
  let dir: string;
  let iss: TestIssuer;
  before(async () => {
    dir = tempDir("easyauth-anon");
    iss = await startTestIssuer(dir);
  });
  after(async () => {
    await iss?.close();
    removeDir(dir);
  });

  const start = (globalValidation: Record<string, unknown>) =>
    startFixtureHost({
      appDir: AUTH_APP,
      settingsFile: settingsFile(dir),
      authSettingsFile: authSettings(dir, iss.issuer, globalValidation),
      env: { WEBSITE_AUTH_ENABLED: "true", LOCALHOST_AUTH_CA_FILE: iss.caFile },
    });

  it("AllowAnonymous: no token passes without a principal (forged headers stripped); a bad token is still 401", async () => {
    const h = await start({ requireAuthentication: false, unauthenticatedClientAction: "AllowAnonymous" });
    try {
      const anon = await http("GET", `${h.url}/api/echo`, undefined, FORGED);
      assert.equal(anon.status, 200);
      assert.deepEqual(principalHeaderNames(anon.body.headers), []);
      assert.equal((await http("GET", `${h.url}/api/echo`, undefined, bearer("x.y.z"))).status, 401);
      const ok = await http("GET", `${h.url}/api/echo`, undefined, bearer(await iss.token(API_AUDIENCE)));
      assert.equal(ok.body.headers["x-ms-client-principal-name"], "dana@contoso.example");
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });

  it("Return403: no token → 403 without a challenge", async () => {
    const h = await start({ requireAuthentication: true, unauthenticatedClientAction: "Return403" });
    try {
      const r = await http("GET", `${h.url}/api/echo`);
      assert.equal(r.status, 403);
      assert.equal(r.body, REFUSAL_BODY);
      assert.equal(r.headers.get("www-authenticate"), null);
      assert.equal(
        (await http("GET", `${h.url}/api/echo`, undefined, bearer(await iss.token(API_AUDIENCE)))).status,
        200,
      );
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });
});

describe("App Service Authentication off", () => {
  it("leaves client headers and tokens alone when WEBSITE_AUTH_ENABLED is not True (settings file or not)", async () => {
    const dir = tempDir("easyauth-off");
    const file = authSettings(dir, "https://127.0.0.1:1/t/v2.0", { unauthenticatedClientAction: "Return401" });
    for (const enabled of ["", "False"]) {
      const h = await startFixtureHost({
        appDir: AUTH_APP,
        settingsFile: settingsFile(dir),
        env: { WEBSITE_AUTH_ENABLED: enabled, LOCALHOST_AUTH_SETTINGS_FILE: file },
      });
      try {
        const r = await http("GET", `${h.url}/api/echo`, undefined, { ...FORGED, ...bearer("not-a-jwt") });
        assert.equal(r.status, 200);
        assert.equal(r.body.headers["x-ms-client-principal-id"], "forged-id");
        assert.equal(r.body.headers["x-ms-client-principal"], FORGED["X-MS-CLIENT-PRINCIPAL"]);
        assert.equal(r.body.headers["authorization"], "Bearer not-a-jwt");
        assert.ok(
          h.logs.some((l) => l.includes("App Service Authentication is off")),
          h.logs.join("\n"),
        );
      } finally {
        await h.stop();
        removeDir(h.dataDir);
      }
    }
    removeDir(dir);
  });
});

describe("App Service Authentication configuration errors", () => {
  it("refuses to start, naming the setting at fault", async () => {
    const dir = tempDir("easyauth-bad");
    const good = {
      platform: { enabled: true },
      globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
      identityProviders: {
        azureActiveDirectory: { registration: { openIdIssuer: "https://127.0.0.1:1/t/v2.0", clientId: CLIENT_ID } },
      },
    };
    const file = (name: string, content: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
      return f;
    };
    const goodFile = file("good.json", good);
    const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
      ["no file", { WEBSITE_AUTH_ENABLED: "True", LOCALHOST_AUTH_SETTINGS_FILE: "" }, /LOCALHOST_AUTH_SETTINGS_FILE/],
      ["missing file", { LOCALHOST_AUTH_SETTINGS_FILE: join(dir, "nope.json") }, /auth settings file not found/],
      ["not JSON", { LOCALHOST_AUTH_SETTINGS_FILE: file("bad.json", "{") }, /cannot read auth settings file/],
      [
        "bad action",
        {
          LOCALHOST_AUTH_SETTINGS_FILE: file("action.json", {
            ...good,
            globalValidation: { unauthenticatedClientAction: "Return418" },
          }),
        },
        /globalValidation\.unauthenticatedClientAction must be one of/,
      ],
      [
        "http issuer",
        {
          LOCALHOST_AUTH_SETTINGS_FILE: file("http.json", {
            ...good,
            identityProviders: {
              azureActiveDirectory: { registration: { openIdIssuer: "http://127.0.0.1:1/t/v2.0", clientId: "c" } },
            },
          }),
        },
        /registration\.openIdIssuer must be an https URL/,
      ],
      [
        "no clientId",
        {
          LOCALHOST_AUTH_SETTINGS_FILE: file("noclient.json", {
            ...good,
            identityProviders: { azureActiveDirectory: { registration: { openIdIssuer: "https://x/t/v2.0" } } },
          }),
        },
        /registration\.clientId is required/,
      ],
      [
        "platform off",
        { LOCALHOST_AUTH_SETTINGS_FILE: file("off.json", { ...good, platform: { enabled: false } }) },
        /platform\.enabled/,
      ],
      [
        "bad CA",
        { LOCALHOST_AUTH_SETTINGS_FILE: goodFile, LOCALHOST_AUTH_CA_FILE: goodFile },
        /LOCALHOST_AUTH_CA_FILE/,
      ],
      [
        "bad flag",
        { WEBSITE_AUTH_ENABLED: "yes", LOCALHOST_AUTH_SETTINGS_FILE: goodFile },
        /WEBSITE_AUTH_ENABLED must be True or False/,
      ],
    ];
    await Promise.all(
      cases.map(async ([what, env, message]) => {
        await assert.rejects(
          spawnHost({
            appDir: AUTH_APP,
            dataDir: join(dir, `data-${what.replace(/\W/g, "")}`),
            env: { WEBSITE_AUTH_ENABLED: "True", ...env },
          }),
          (err: Error) => {
            assert.match(err.message, /cannot start: /, what);
            assert.match(err.message, message, what);
            return true;
          },
        );
      }),
    );
    removeDir(dir);
  });
});
