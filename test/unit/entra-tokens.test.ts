// The app validates callers' Entra tokens itself: only a token signed by the tenant's key, from the tenant's
// issuer, for this app, within its lifetime, gives an identity; every other token is refused with a reason that
// names the problem and never repeats the token or its claims.
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { test } from "node:test";
import { importJWK, SignJWT } from "jose";
import { TokenRejected } from "../../src/auth/entra-tokens";
import { fakeTenant, newKey, unsignedJwt } from "./entra-fakes";

const rejects = async (p: Promise<unknown>, reason: RegExp, token?: string) => {
  const err = await p.then(
    () => assert.fail("the token was accepted"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TokenRejected, String(err));
  assert.match(err.message, reason);
  if (token) for (const part of token.split(".")) if (part) assert.ok(!err.message.includes(part), "no token content");
};

/** Claims of a v2 access token the tenant would issue for this app now (for tokens signed some other way). */
const validClaims = (t: Awaited<ReturnType<typeof fakeTenant>>) => {
  const s = Math.floor(Date.now() / 1000);
  return {
    aud: t.config.clientId,
    iss: t.v2Issuer,
    tid: t.config.tenantId,
    oid: "x",
    roles: ["Failover.Request"],
    ver: "2.0",
    nbf: s,
    exp: s + 3600,
  };
};

test("a v2 access token signed by the tenant's key, for this app, gives its claims (client id or api:// audience)", async () => {
  const t = await fakeTenant();
  const v = t.tokens();
  const claims = await v.validate(await t.token(), "access");
  assert.deepEqual(
    [claims.oid, claims.name, claims.roles],
    ["00000000-0000-4000-8000-00000000a11c", "Alice", ["Failover.Request", "Failover.Read"]],
  );
  const api = await v.validate(await t.token({ aud: `api://${t.config.clientId}` }), "access");
  assert.equal(api.aud, `api://${t.config.clientId}`);
});

test("a v1 access token is checked against the v1 metadata: its sts.windows.net issuer is accepted", async () => {
  const t = await fakeTenant();
  const v1 = await t.token({ ver: "1.0", iss: t.v1Issuer, aud: `api://${t.config.clientId}`, upn: "alice@contoso" });
  assert.equal((await t.tokens().validate(v1, "access")).upn, "alice@contoso");
  // A v1 token claiming the v2 issuer (or the other way round) matches neither document.
  await rejects(t.tokens().validate(await t.token({ ver: "1.0" }), "access"), /issuer is not the tenant's/);
  await rejects(t.tokens().validate(await t.token({ iss: t.v1Issuer }), "access"), /issuer is not the tenant's/);
});

test("expired and not-yet-valid tokens are refused beyond a 5-minute clock skew, accepted within it", async () => {
  const t = await fakeTenant();
  const s = Math.floor(Date.now() / 1000);
  const expired = await t.token({ iat: s - 4000, nbf: s - 4000, exp: s - 400 });
  await rejects(t.tokens().validate(expired, "access"), /has expired/, expired);
  await t.tokens().validate(await t.token({ iat: s - 4000, nbf: s - 4000, exp: s - 200 }), "access");
  const early = await t.token({ nbf: s + 600 });
  await rejects(t.tokens().validate(early, "access"), /not valid yet/, early);
  await t.tokens().validate(await t.token({ nbf: s + 200 }), "access");
  await rejects(t.tokens().validate(await t.token({ exp: undefined }), "access"), /^the token has no expiry \(exp\)$/);
});

test("a token for another app, from another issuer or for another tenant is refused, naming which", async () => {
  const t = await fakeTenant();
  const other = await t.token({ aud: "00000003-0000-0000-c000-000000000000" }); // Microsoft Graph's
  await rejects(t.tokens().validate(other, "access"), /not for this app \(its audience must be one of/, other);
  const foreign = await fakeTenant();
  const wrongIss = await t.token({ iss: foreign.v2Issuer });
  await rejects(t.tokens().validate(wrongIss, "access"), /issuer is not the tenant's/, wrongIss);
  const wrongTid = await t.token({ tid: foreign.config.tenantId });
  await rejects(t.tokens().validate(wrongTid, "access"), new RegExp(`not from tenant ${t.config.tenantId}`), wrongTid);
  await rejects(t.tokens().validate(await t.token({ tid: undefined }), "access"), /not from tenant/);
  // Another tenant's genuine token (its own issuer, its own key), even for this client id.
  await rejects(
    t.tokens().validate(await foreign.token({ aud: t.config.clientId }), "access"),
    /not signed by a key of the tenant/,
  );
});

test("signatures: an unknown key id, a forged signature under the genuine kid, alg none and HS256 are refused", async () => {
  const t = await fakeTenant();
  const stranger = await newKey();
  await rejects(
    t.tokens().validate(await t.token({}, { key: stranger }), "access"),
    /not signed by a key of the tenant/,
  );
  const forged = await t.token({}, { key: stranger, kid: t.key.kid });
  await rejects(t.tokens().validate(forged, "access"), /signature does not verify/, forged);
  const payload = validClaims(t);
  const none = unsignedJwt({ alg: "none", typ: "JWT" }, payload);
  await rejects(t.tokens().validate(none, "access"), /algorithm is not allowed|malformed/, none);
  // The classic confusion attack: HMAC keyed with the tenant's *public* key (which anyone can fetch).
  const spki = createPublicKey({ key: t.key.publicJwk as never, format: "jwk" }).export({
    type: "spki",
    format: "pem",
  });
  const hs = await new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: t.key.kid })
    .sign(new TextEncoder().encode(String(spki)));
  await rejects(t.tokens().validate(hs, "access"), /algorithm is not allowed \(RS256 only\)/, hs);
  await rejects(t.tokens().validate("not-a-jwt", "access"), /not a JWT/);
  await rejects(t.tokens().validate(await t.token({ ver: undefined }), "access"), /not an Entra token/);
  assert.ok(await importJWK(t.key.publicJwk, "RS256"), "the published key is a usable RS256 key");
});

test("an ID token must be for the client id itself: an api:// audience is an access token's", async () => {
  const t = await fakeTenant();
  assert.equal((await t.tokens().validate(await t.token(), "id")).name, "Alice");
  await rejects(
    t.tokens().validate(await t.token({ aud: `api://${t.config.clientId}` }), "id"),
    new RegExp(`ID token is not for this app \\(its audience must be the client id ${t.config.clientId}\\)`),
  );
});

test("metadata and keys are fetched once and reused; a failed metadata fetch is retried, not cached", async () => {
  const t = await fakeTenant();
  const v = t.tokens();
  for (let i = 0; i < 5; i++) await v.validate(await t.token(), "access");
  const counts = [...t.hits.entries()].map(([u, n]) => [u.replace(t.config.tenantId, "T"), n]);
  assert.deepEqual(counts, [
    [`${"https://login.microsoftonline.com"}/T/v2.0/.well-known/openid-configuration`, 1],
    [`${"https://login.microsoftonline.com"}/T/discovery/v2.0/keys`, 1],
  ]);

  let clock = Date.now();
  let down = true;
  const flaky = await fakeTenant(() => clock);
  const { EntraKeys } = await import("../../src/auth/entra-keys");
  const { EntraTokens } = await import("../../src/auth/entra-tokens");
  const keys = new EntraKeys({
    authority: flaky.config.authority,
    tenantId: flaky.config.tenantId,
    fetch: (url, init) => (down ? Promise.reject(new Error("connect ECONNREFUSED")) : flaky.fetch(url, init)),
    now: () => clock,
  });
  const v2 = new EntraTokens({ config: flaky.config, keys, now: () => clock });
  await rejects(v2.validate(await flaky.token(), "access"), /signing keys are unavailable: connect ECONNREFUSED/);
  down = false;
  await rejects(v2.validate(await flaky.token(), "access"), /could not be fetched moments ago/);
  clock += 10_000;
  assert.equal((await v2.validate(await flaky.token(), "access")).name, "Alice");
});

// Mutation testing (issue 23): each rejection's reason, and that the cause is kept for the host log.
test("a malformed token, an unsupported header and a key set that fails each get their own reason", async () => {
  const t = await fakeTenant();
  const payload = validClaims(t);
  const noAlg = unsignedJwt({ typ: "JWT", kid: t.key.kid }, payload, "c2ln");
  await rejects(t.tokens().validate(noAlg, "access"), /^the token is malformed$/, noAlg);
  const crit = unsignedJwt({ alg: "RS256", kid: t.key.kid, crit: ["x-unknown"], "x-unknown": 1 }, payload, "c2ln");
  await rejects(t.tokens().validate(crit, "access"), /^the token's signing algorithm is not allowed \(RS256 only\)$/);
  const { EntraTokens } = await import("../../src/auth/entra-tokens");
  const { errors } = await import("jose");
  const failing = (err: Error) =>
    new EntraTokens({
      config: t.config,
      keys: { issuer: async () => ({ issuer: t.v2Issuer, keys: async () => Promise.reject(err) }) } as never,
    });
  const token = await t.token();
  await rejects(
    failing(new Error("socket hang up")).validate(token, "access"),
    /^the tenant's signing keys are unavailable: socket hang up$/,
  );
  await rejects(
    failing(new errors.JWKSTimeout()).validate(token, "access"),
    /^the tenant's signing keys are unavailable: /,
  );
  await rejects(
    failing(new errors.JOSEError("jwks broke")).validate(token, "access"),
    /^the tenant's signing keys are unavailable: jwks broke$/,
  );
  await rejects(
    failing(new errors.JWKSInvalid()).validate(token, "access"),
    /^the token is not valid \(ERR_JWKS_INVALID\)$/,
  );
  const cause = new Error("socket hang up");
  const err = await failing(cause)
    .validate(token, "access")
    .catch((e: unknown) => e);
  assert.equal((err as Error).cause, cause, "the JOSE error stays the rejection's cause");
  const down = new EntraTokens({ config: t.config, keys: { issuer: () => Promise.reject(cause) } as never });
  const err2 = await down.validate(token, "access").catch((e: unknown) => e);
  assert.match((err2 as Error).message, /^the tenant's signing keys are unavailable: socket hang up$/);
  assert.equal((err2 as Error).cause, cause);
});

test("a token whose other claims are malformed (iat not a number) is refused naming that claim", async () => {
  const t = await fakeTenant();
  await rejects(
    t.tokens().validate(await t.token({ iat: "yesterday" as unknown as number }), "access"),
    /^the token's iat claim is invalid$/,
  );
});
