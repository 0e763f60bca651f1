// The pieces of the host's App Service Authentication, in process: authsettingsV2 parsing, excluded
// path matching, the client principal, key fetching over verified TLS with its refetch limit, redaction.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { authEnabledSetting, parseAuthSettingsV2, resolveAuthSettings } from "../../local/host/auth-settings";
import { clientPrincipal, principalHeaders } from "../../local/host/client-principal";
import { ExcludedPaths } from "../../local/host/excluded-paths";
import { IssuerKeys, REFRESH_INTERVAL_MS } from "../../local/host/issuer-keys";
import { redact } from "../../local/host/redact";
import { TokenRejected, TokenValidator } from "../../local/host/token-validator";
import { newSigningKey, startTestIssuer, type TestIssuer } from "./auth-issuer";
import { removeDir, tempDir } from "./helpers";

const minimal = (over: Record<string, unknown> = {}) => ({
  platform: { enabled: true },
  identityProviders: {
    azureActiveDirectory: { registration: { openIdIssuer: "https://login.example/t/v2.0", clientId: "cid" } },
  },
  ...over,
});

describe("authsettingsV2", () => {
  it("reads the fields the host acts on, with Easy Auth's defaults", () => {
    const s = parseAuthSettingsV2(minimal(), "f.json");
    assert.equal(s.unauthenticatedClientAction, "RedirectToLoginPage");
    assert.equal(s.requireAuthentication, true, "absent + a refusing action: required (never fail open)");
    assert.deepEqual(s.excludedPaths, []);
    assert.deepEqual(s.allowedAudiences, []);
    const anon = parseAuthSettingsV2(
      minimal({ globalValidation: { unauthenticatedClientAction: "AllowAnonymous" } }),
      "f",
    );
    assert.equal(anon.requireAuthentication, false);
    // The ARM resource shape (as `az webapp auth show` prints it) is accepted too.
    assert.equal(parseAuthSettingsV2({ properties: minimal() }, "f").clientId, "cid");
  });

  it("names the field at fault", () => {
    assert.throws(() => parseAuthSettingsV2({}, "f.json"), /auth settings f\.json: platform must be an object/);
    assert.throws(
      () => parseAuthSettingsV2(minimal({ globalValidation: { excludedPaths: ["health"] } }), "f"),
      /globalValidation\.excludedPaths entries must start with "\/"/,
    );
    assert.throws(
      () => parseAuthSettingsV2(minimal({ globalValidation: { requireAuthentication: "yes" } }), "f"),
      /globalValidation\.requireAuthentication must be true or false/,
    );
    assert.throws(
      () => parseAuthSettingsV2(minimal({ identityProviders: { azureActiveDirectory: { enabled: false } } }), "f"),
      /identityProviders\.azureActiveDirectory\.enabled is false/,
    );
    assert.throws(
      () => parseAuthSettingsV2(minimal({ identityProviders: {} }), "f"),
      /identityProviders\.azureActiveDirectory must be an object/,
    );
  });

  it("is on only with WEBSITE_AUTH_ENABLED True and a settings file", () => {
    assert.equal(authEnabledSetting({}), false);
    assert.equal(authEnabledSetting({ WEBSITE_AUTH_ENABLED: "True" }), true);
    assert.equal(authEnabledSetting({ WEBSITE_AUTH_ENABLED: "false" }), false);
    assert.throws(
      () => authEnabledSetting({ WEBSITE_AUTH_ENABLED: "1" }),
      /WEBSITE_AUTH_ENABLED must be True or False/,
    );
    const notes: string[] = [];
    assert.equal(
      resolveAuthSettings({ env: {}, settingsFile: "/nonexistent.json" }, (n) => notes.push(n)),
      null,
    );
    assert.match(notes[0]!, /--auth-settings is ignored/);
    assert.throws(() => resolveAuthSettings({ env: { WEBSITE_AUTH_ENABLED: "True" } }), /LOCALHOST_AUTH_SETTINGS_FILE/);
  });
});

describe("excludedPaths", () => {
  const x = new ExcludedPaths(["/api/health", "/api/public/*", "/static/app-*.js", "/"]);
  it("matches exactly, case-insensitively, ignoring a trailing slash and the query", () => {
    for (const p of ["/api/health", "/API/Health/", "/api/health?x=1", "/"]) assert.ok(x.matches(p), p);
    for (const p of ["/api/healthz", "/api/health/more", "/api", "/apI/health2"]) assert.ok(!x.matches(p), p);
  });
  it("takes a trailing /* as everything below, and * within a segment", () => {
    assert.ok(x.matches("/api/public/a"));
    assert.ok(x.matches("/api/public/a/b/c.txt"));
    assert.ok(!x.matches("/api/public"), "the folder itself is not below itself");
    assert.ok(x.matches("/static/app-123.js"));
    assert.ok(!x.matches("/static/lib/app-1.js"));
  });
  it("decodes each segment on its own, so %2F never crosses a segment", () => {
    assert.ok(x.matches("/api/%68ealth"));
    assert.ok(!x.matches("/api/files/..%2Fpublic%2Fx"));
    assert.ok(!x.matches("/static/app-..%2F..%2Fx.js"), "* does not match an encoded /");
    assert.ok(!new ExcludedPaths([]).matches("/"));
  });
});

describe("client principal", () => {
  it("flattens arrays, stringifies numbers and booleans, maps oid/sub/tid and keeps roles/name short", () => {
    const p = clientPrincipal({
      oid: "o",
      sub: "s",
      tid: "t",
      roles: ["A", "B"],
      name: "N",
      exp: 5,
      flag: true,
      upn: "u@x",
    });
    assert.deepEqual(p.claims, [
      { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "o" },
      { typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", val: "s" },
      { typ: "http://schemas.microsoft.com/identity/claims/tenantid", val: "t" },
      { typ: "roles", val: "A" },
      { typ: "roles", val: "B" },
      { typ: "name", val: "N" },
      { typ: "exp", val: "5" },
      { typ: "flag", val: "true" },
      { typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", val: "u@x" },
    ]);
  });
  it("takes the id from oid (else sub) and the name from preferred_username (else upn, email, name)", () => {
    const h = principalHeaders({ sub: "s", upn: "u@x", name: "N" });
    assert.equal(h["x-ms-client-principal-id"], "s");
    assert.equal(h["x-ms-client-principal-name"], "u@x");
    assert.equal(h["x-ms-client-principal-idp"], "aad");
    const app = principalHeaders({ oid: "o", roles: ["R"] });
    assert.equal(app["x-ms-client-principal-name"], undefined, "an app-only token has no name");
  });
});

describe("issuer keys over verified TLS", () => {
  let dir: string;
  let iss: TestIssuer;
  before(async () => {
    dir = tempDir("issuer-keys");
    iss = await startTestIssuer(dir);
  });
  after(async () => {
    await iss?.close();
    removeDir(dir);
  });

  it("refuses the issuer without its CA or with another CA (TLS is verified)", async () => {
    for (const ca of [null, readFileSync(iss.otherCaFile, "utf8")]) {
      await assert.rejects(new IssuerKeys(iss.issuer, ca).metadata(), /certificate/i);
    }
    assert.equal((await new IssuerKeys(iss.issuer, iss.caPem).metadata()).issuer, iss.issuer);
  });

  it("refetches the key set for an unknown key id, at most once per interval", async () => {
    let now = 1_000_000;
    const keys = new IssuerKeys(iss.issuer, iss.caPem, () => now);
    const v = new TokenValidator({ keys, issuer: iss.issuer, clientId: "cid", allowedAudiences: [] });
    const before = iss.hits.jwks;
    await v.validate(await iss.token("cid"));
    assert.equal(iss.hits.jwks, before + 1);

    const rotated = await newSigningKey();
    iss.published.push(rotated);
    const fresh = await iss.token("cid", {}, { key: rotated });
    // Within the interval: no refetch, the new key is unknown.
    now += REFRESH_INTERVAL_MS / 2;
    await assert.rejects(v.validate(fresh), (e: Error) => e instanceof TokenRejected && /key id/.test(e.message));
    const forged = await iss.token("cid", {}, { key: rotated, kid: "nobody" });
    for (let i = 0; i < 5; i++) await assert.rejects(v.validate(forged), TokenRejected);
    assert.equal(iss.hits.jwks, before + 1, "unknown kids within the interval do not refetch");
    // After it: one refetch picks up the rotated key.
    now += REFRESH_INTERVAL_MS;
    await v.validate(fresh);
    assert.equal(iss.hits.jwks, before + 2);
    for (let i = 0; i < 5; i++) await assert.rejects(v.validate(forged), TokenRejected);
    assert.equal(iss.hits.jwks, before + 2);
  });
});

describe("redaction of tokens", () => {
  it("masks bearer tokens and anything shaped like a JWT, not the word 'bearer'", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    assert.equal(redact(`authorization: Bearer ${jwt}`), "authorization: Bearer [redacted]");
    assert.equal(redact(`{"token":"${jwt}"}`), `{"token":"[redacted]"}`);
    assert.equal(redact("Bearer opaque-token-value-1234567890"), "Bearer [redacted]");
    assert.equal(redact("bearer token rejected: token expired"), "bearer token rejected: token expired");
    assert.equal(
      redact(`WWW-Authenticate: Bearer realm="127.0.0.1:7071"`),
      `WWW-Authenticate: Bearer realm="127.0.0.1:7071"`,
    );
  });
});
