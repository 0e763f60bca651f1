// The lab's Entra-like token issuer, checked the way the local host (playing Easy Auth) will use it: discovery and
// JWKS over TLS verified against the lab CA, tokens verified with jose against that metadata, the token endpoint
// behind the lab token, expired and forged tokens refused, and each lab its own tenant, app and key.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { startLab, TokenRequestError, type Lab } from "../../local/lab";
import { appSettingsFor } from "../../local/lab/app-settings";
import { describeLab } from "../../local/lab/describe";
import { hasCommand } from "./helpers";
import { caFetch, jsonCall } from "./https-fetch";
import { LAB_TEST } from "./timeouts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What the host does: discovery from the issuer, then a remote JWKS, both over TLS trusting the lab CA only. */
async function verifierFor(lab: Lab) {
  const meta = await jsonCall(lab.info.caPem, `${lab.info.identity.issuer}/.well-known/openid-configuration`);
  assert.equal(meta.status, 200);
  const jwks = createRemoteJWKSet(new URL(meta.body.jwks_uri), { [customFetch]: caFetch(lab.info.caPem) });
  return (token: string) =>
    jwtVerify(token, jwks, {
      issuer: meta.body.issuer,
      audience: lab.info.identity.clientId,
      algorithms: ["RS256"],
      typ: "JWT",
    });
}

const postToken = (lab: Lab, body: unknown, headers: Record<string, string> = {}) =>
  jsonCall(lab.info.caPem, lab.info.identity.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const bearer = (lab: Lab): Record<string, string> => ({ Authorization: `Bearer ${lab.info.arm.token}` });

describe("lab identity: the Entra-like token issuer", () => {
  let a: Lab;
  let b: Lab;
  before(async () => {
    // allSettled: when one start fails the other must still be stopped
    const settled = await Promise.allSettled([startLab({ azurite: false }), startLab({ azurite: false })]);
    const labs = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (labs.length < 2) {
      await Promise.allSettled(labs.map((l) => l.stop()));
      for (const r of settled) if (r.status === "rejected") throw r.reason;
    }
    [a, b] = labs as [Lab, Lab];
  }, LAB_TEST);
  after(() => Promise.allSettled([a?.stop(), b?.stop()]), LAB_TEST);

  test(
    "discovery and JWKS are served over TLS verified against the lab CA, and refused by any other trust",
    LAB_TEST,
    async () => {
      const id = a.info.identity;
      const origin = new URL(id.issuer).origin;
      assert.match(origin, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(id.issuer, `${origin}/${id.tenantId}/v2.0`);
      assert.match(id.tenantId, UUID);
      assert.match(id.clientId, UUID);
      assert.notEqual(id.tenantId, id.clientId);
      assert.equal(id.metadataUrl, `${id.issuer}/.well-known/openid-configuration`);

      const meta = await jsonCall(a.info.caPem, id.metadataUrl);
      assert.equal(meta.status, 200);
      assert.equal(meta.body.issuer, id.issuer);
      assert.equal(meta.body.jwks_uri, `${origin}/${id.tenantId}/discovery/v2.0/keys`);
      assert.equal(meta.body.token_endpoint, `${origin}/${id.tenantId}/oauth2/v2.0/token`);
      assert.equal(id.jwksUri, meta.body.jwks_uri);
      assert.equal(id.tokenEndpoint, meta.body.token_endpoint);
      assert.deepEqual(meta.body.id_token_signing_alg_values_supported, ["RS256"]);
      assert.ok(Array.isArray(meta.body.response_types_supported) && meta.body.response_types_supported.length > 0);
      assert.ok(Array.isArray(meta.body.subject_types_supported) && meta.body.subject_types_supported.length > 0);

      const jwks = await jsonCall(a.info.caPem, meta.body.jwks_uri);
      assert.equal(jwks.status, 200);
      assert.equal(jwks.body.keys.length, 1);
      const [key] = jwks.body.keys;
      // Public members only: no d, p, q … of the private key.
      assert.deepEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
      assert.equal(key.kty, "RSA");
      assert.equal(key.use, "sig");
      assert.equal(key.alg, "RS256");
      assert.ok(Buffer.from(key.n, "base64url").length >= 256, "a 2048-bit modulus at least");

      // Node's roots and the rogue CA both refuse the issuer's certificate: the trust above was the lab CA's.
      await assert.rejects(jsonCall(undefined, id.metadataUrl), (e: NodeJS.ErrnoException) =>
        /UNABLE_TO_VERIFY|SELF_SIGNED/.test(e.code ?? ""),
      );
      const rogue = fs.readFileSync(a.info.rogueCaFile, "utf8");
      await assert.rejects(jsonCall(rogue, meta.body.jwks_uri), (e: NodeJS.ErrnoException) =>
        /UNABLE_TO_VERIFY|SELF_SIGNED/.test(e.code ?? ""),
      );
    },
  );

  test(
    "a token verifies with jose against the published metadata and carries the Entra v2 access-token claims",
    LAB_TEST,
    async () => {
      const verify = await verifierFor(a);
      const id = a.info.identity;
      const t0 = Math.floor(Date.now() / 1000);
      const token = await a.token({
        user: "alice",
        roles: ["Failover.Request", "Failover.Approve"],
        name: "Alice Admin",
      });
      const { payload, protectedHeader } = await verify(token);
      const jwks = await jsonCall(a.info.caPem, id.jwksUri);
      assert.deepEqual(protectedHeader, { alg: "RS256", typ: "JWT", kid: jwks.body.keys[0].kid });

      assert.deepEqual(Object.keys(payload).sort(), [
        "aud",
        "azp",
        "azpacr",
        "exp",
        "iat",
        "iss",
        "name",
        "nbf",
        "oid",
        "preferred_username",
        "roles",
        "sub",
        "tid",
        "uti",
        "ver",
      ]);
      assert.equal(payload.aud, id.clientId);
      assert.equal(payload.iss, id.issuer);
      assert.equal(payload.ver, "2.0");
      assert.equal(payload.tid, id.tenantId);
      assert.match(String(payload.oid), UUID);
      assert.match(String(payload.sub), /^[A-Za-z0-9_-]{43}$/);
      assert.equal(payload.name, "Alice Admin");
      assert.equal(payload.preferred_username, "alice@lab.example");
      assert.deepEqual(payload.roles, ["Failover.Request", "Failover.Approve"]);
      assert.equal(payload.azp, id.callerClientId);
      assert.equal(payload.scp, undefined);
      assert.equal(payload.nbf, payload.iat);
      assert.ok(payload.iat! >= t0 && payload.iat! <= Math.floor(Date.now() / 1000));
      assert.equal(payload.exp! - payload.iat!, 3600);

      // The same user (any case) keeps oid and sub; no roles → no roles claim; the name defaults from the user.
      const again = (await verify(await a.token({ user: "Alice", roles: [] }))).payload;
      assert.equal(again.oid, payload.oid);
      assert.equal(again.sub, payload.sub);
      assert.equal(again.roles, undefined);
      assert.equal(again.name, "Alice");
      assert.notEqual(again.uti, payload.uti);
      assert.deepEqual(a.identity.user("alice"), {
        oid: payload.oid,
        sub: payload.sub,
        preferredUsername: "alice@lab.example",
      });
      const bob = (await verify(await a.token({ user: "bob", roles: ["Failover.Read"] }))).payload;
      assert.notEqual(bob.oid, payload.oid);
      assert.notEqual(bob.sub, payload.sub);
      assert.equal(bob.preferred_username, "bob@lab.example");
    },
  );

  test("the token endpoint mints tokens for the lab token's holder only and names a bad field", LAB_TEST, async () => {
    const verify = await verifierFor(a);
    const ask = { user: "alice", roles: ["Failover.Read"], expiresInSeconds: 600 };

    const anonymous = await postToken(a, ask);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, "invalid_client");
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/);
    const wrong = await postToken(a, ask, bearer(b)); // another lab's token
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.access_token, undefined);

    const ok = await postToken(a, ask, bearer(a));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.token_type, "Bearer");
    assert.equal(ok.body.expires_in, 600);
    assert.equal(ok.headers.get("cache-control"), "no-store");
    const { payload } = await verify(ok.body.access_token);
    assert.equal(payload.exp! - payload.iat!, 600);
    assert.deepEqual(payload.roles, ["Failover.Read"]);
    assert.equal(payload.oid, a.identity.user("alice").oid, "the endpoint and the code API give alice one oid");

    const bad: [unknown, string][] = [
      [{ roles: [] }, "user"],
      [{ user: "al ice", roles: [] }, "user"],
      [{ user: "alice" }, "roles"],
      [{ user: "alice", roles: "Failover.Read" }, "roles"],
      [{ user: "alice", roles: ["Failover.Read", "Failover Read"] }, "roles[1]"],
      [{ user: "alice", roles: [], name: "" }, "name"],
      [{ user: "alice", roles: [], expiresInSeconds: 1.5 }, "expiresInSeconds"],
      [{ user: "alice", roles: [], expiresInSeconds: "3600" }, "expiresInSeconds"],
      [{ user: "alice", roles: [], expiresInSeconds: 90 * 86_400 }, "expiresInSeconds"],
      [{ user: "alice", roles: [], expiresIn: 60 }, "expiresIn"],
      [["alice"], "body"],
      ["{not json", "body"],
      ["", "body"],
    ];
    for (const [body, field] of bad) {
      const r = await postToken(a, body, bearer(a));
      assert.equal(r.status, 400, `${JSON.stringify(body)} → 400`);
      assert.equal(r.body.error, "invalid_request");
      assert.equal(r.body.field, field, `${JSON.stringify(body)} names ${field}`);
      assert.ok(r.body.error_description.startsWith(`${field}:`), r.body.error_description);
      assert.equal(r.body.access_token, undefined);
    }
    // The code API refuses the same way.
    await assert.rejects(a.token({ user: "", roles: [] }), (e) => e instanceof TokenRequestError && e.field === "user");

    const get = await jsonCall(a.info.caPem, a.info.identity.tokenEndpoint, { headers: bearer(a) });
    assert.equal(get.status, 405);
  });

  test("an expired token and a forged one (same kid and claims, another key) fail verification", LAB_TEST, async () => {
    const verify = await verifierFor(a);
    const ask = { user: "mallory", roles: ["Failover.Approve"] };
    await verify(await a.token(ask)); // the control: the same request, genuinely signed, verifies

    const expired = await a.token({ ...ask, expiresInSeconds: -600 });
    const e = decodeJwt(expired);
    assert.ok(e.exp! < Date.now() / 1000 - 590, "expired ten minutes ago");
    assert.equal(e.exp! - e.iat!, 3600, "a normal lifetime that has run out");
    await assert.rejects(verify(expired), { code: "ERR_JWT_EXPIRED" });
    const viaEndpoint = await postToken(a, { ...ask, expiresInSeconds: -600 }, bearer(a));
    assert.equal(viaEndpoint.body.expires_in, -600);
    await assert.rejects(verify(viaEndpoint.body.access_token), { code: "ERR_JWT_EXPIRED" });

    const forged = await a.identity.forgedToken(ask);
    const genuineKid = (await jsonCall(a.info.caPem, a.info.identity.jwksUri)).body.keys[0].kid;
    assert.equal(decodeProtectedHeader(forged).kid, genuineKid);
    const f = decodeJwt(forged);
    assert.equal(f.iss, a.info.identity.issuer);
    assert.equal(f.aud, a.info.identity.clientId);
    assert.deepEqual(f.roles, ["Failover.Approve"]);
    assert.equal(f.oid, a.identity.user("mallory").oid);
    await assert.rejects(verify(forged), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  });

  test(
    "two labs have their own tenant, app registration, issuer and key: one lab's token fails at the other",
    LAB_TEST,
    async () => {
      const [ia, ib] = [a.info.identity, b.info.identity];
      assert.notEqual(ia.issuer, ib.issuer);
      assert.notEqual(ia.tenantId, ib.tenantId);
      assert.notEqual(ia.clientId, ib.clientId);
      const [ka, kb] = await Promise.all(
        [a, b].map(async (l) => (await jsonCall(l.info.caPem, l.info.identity.jwksUri)).body.keys[0]),
      );
      assert.notEqual(ka.kid, kb.kid);
      assert.notEqual(ka.n, kb.n);
      assert.notEqual(a.identity.user("alice").oid, b.identity.user("alice").oid);

      const fromA = await a.token({ user: "alice", roles: ["Failover.Request"] });
      await (
        await verifierFor(a)
      )(fromA);
      await assert.rejects((await verifierFor(b))(fromA), { code: "ERR_JWKS_NO_MATCHING_KEY" });
      // Even with lab a's key, lab b's issuer and audience would not match.
      const jwksA = createRemoteJWKSet(new URL(ia.jwksUri), { [customFetch]: caFetch(a.info.caPem) });
      await assert.rejects(jwtVerify(fromA, jwksA, { issuer: ib.issuer }), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
      await assert.rejects(jwtVerify(fromA, jwksA, { audience: ib.clientId }), {
        code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      });
    },
  );

  test(
    "the app settings turn App Service Authentication on with an authsettingsV2 file trusting this issuer",
    LAB_TEST,
    async () => {
      const { info } = a;
      const values = JSON.parse(fs.readFileSync(info.settingsFile, "utf8")).Values;
      assert.equal(values.WEBSITE_AUTH_ENABLED, "True");
      assert.equal(values.LOCALHOST_AUTH_SETTINGS_FILE, info.identity.authSettingsFile);
      assert.equal(values.LOCALHOST_AUTH_CA_FILE, info.caFile);
      assert.deepEqual(appSettingsFor(info), values);
      const off = appSettingsFor(info, { auth: false });
      for (const k of ["WEBSITE_AUTH_ENABLED", "LOCALHOST_AUTH_SETTINGS_FILE", "LOCALHOST_AUTH_CA_FILE"])
        assert.equal(off[k], undefined, `${k} only with auth`);
      // With or without Easy Auth, the app itself trusts the lab issuer's tenant and app registration.
      for (const v of [values, off])
        assert.deepEqual(
          [v.PGFLEX_AUTH_TENANT_ID, v.PGFLEX_AUTH_CLIENT_ID, v.PGFLEX_AUTH_AUTHORITY, v.PGFLEX_AUTH_CA_FILE],
          [info.identity.tenantId, info.identity.clientId, new URL(info.identity.issuer).origin, info.caFile],
        );
      assert.equal(info.identity.issuer, `${values.PGFLEX_AUTH_AUTHORITY}/${values.PGFLEX_AUTH_TENANT_ID}/v2.0`);

      assert.equal(path.dirname(info.identity.authSettingsFile), info.dir);
      assert.equal(fs.statSync(info.identity.authSettingsFile).mode & 0o777, 0o644);
      const text = fs.readFileSync(info.identity.authSettingsFile, "utf8");
      for (const secret of [info.arm.token, info.postgres.admin.password, info.postgres.app.password])
        assert.ok(!text.includes(secret), "no secret in the auth settings");
      assert.deepEqual(JSON.parse(text), {
        platform: { enabled: true },
        globalValidation: {
          requireAuthentication: true,
          unauthenticatedClientAction: "Return401",
          excludedPaths: ["/api/alerts", "/api/ui", "/api/ui/*"],
        },
        identityProviders: {
          azureActiveDirectory: {
            enabled: true,
            registration: { openIdIssuer: info.identity.issuer, clientId: info.identity.clientId },
            validation: { allowedAudiences: [info.identity.clientId, `api://${info.identity.clientId}`] },
          },
        },
        login: { tokenStore: { enabled: true } },
      });

      // The host's path: issuer from the file, CA from the settings, then discovery and a token that verifies.
      const file = JSON.parse(text).identityProviders.azureActiveDirectory;
      const ca = fs.readFileSync(values.LOCALHOST_AUTH_CA_FILE, "utf8");
      const meta = await jsonCall(ca, `${file.registration.openIdIssuer}/.well-known/openid-configuration`);
      const jwks = createRemoteJWKSet(new URL(meta.body.jwks_uri), { [customFetch]: caFetch(ca) });
      const { payload } = await jwtVerify(await a.token({ user: "carol", roles: ["Failover.Read"] }), jwks, {
        issuer: file.registration.openIdIssuer,
        audience: file.validation.allowedAudiences,
      });
      assert.equal(payload.preferred_username, "carol@lab.example");
    },
  );

  test("`npm run lab` prints a token line that works pasted into a shell", LAB_TEST, async () => {
    assert.ok(hasCommand("curl"), "curl is needed to run the printed line");
    const line = describeLab(a.info)
      .split("\n")
      .find((l) => l.includes("TOKEN=$(") && l.includes(a.info.identity.tokenEndpoint));
    assert.ok(line, "a TOKEN=$(curl … token endpoint …) line");
    // Async: the lab's servers run in this process and must answer while the shell runs.
    const { stdout } = await promisify(execFile)("bash", ["-c", `${line.trim()}\nprintf %s "$TOKEN"`], {
      timeout: 30_000,
    });
    const { payload } = await (await verifierFor(a))(stdout);
    assert.equal(payload.preferred_username, "alice@lab.example");
    assert.deepEqual(payload.roles, ["Failover.Read", "Failover.Request"]);
  });
});
