// A fake Entra tenant for unit tests: an RS256 key published in a JWKS, the v1.0 and v2.0 discovery documents as
// Entra serves them (v1 issuer https://sts.windows.net/<tid>/, v2 <authority>/<tid>/v2.0), a fetch that serves
// them from memory and counts requests, and a signer for tokens with chosen claims, key, kid and algorithm.
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { Callers } from "../../src/auth/callers";
import { EntraKeys } from "../../src/auth/entra-keys";
import { EntraTokens } from "../../src/auth/entra-tokens";
import type { Fetch } from "../../src/auth/https-fetch";
import type { EntraAuthConfig } from "../../src/config/settings";

export const AUTHORITY = "https://login.microsoftonline.com";

export interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newKey(kid: string = randomUUID()): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, use: "sig" } };
}

export interface FakeTenant {
  config: EntraAuthConfig;
  key: Key;
  v1Issuer: string;
  v2Issuer: string;
  fetch: Fetch;
  /** Requests served, by URL. */
  hits: Map<string, number>;
  /** A v2 access token for alice (Failover.Request + Failover.Read), claims overridable. */
  token(claims?: JWTPayload, o?: { key?: Key; kid?: string }): Promise<string>;
  tokens(): EntraTokens;
  callers(easyAuth: boolean): Callers;
}

export async function fakeTenant(now: () => number = Date.now): Promise<FakeTenant> {
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const key = await newKey();
  const v2Issuer = `${AUTHORITY}/${tenantId}/v2.0`;
  const v1Issuer = `https://sts.windows.net/${tenantId}/`;
  const docs: Record<string, unknown> = {
    [`${AUTHORITY}/${tenantId}/v2.0/.well-known/openid-configuration`]: {
      issuer: v2Issuer,
      jwks_uri: `${AUTHORITY}/${tenantId}/discovery/v2.0/keys`,
    },
    [`${AUTHORITY}/${tenantId}/.well-known/openid-configuration`]: {
      issuer: v1Issuer,
      jwks_uri: `${AUTHORITY}/${tenantId}/discovery/keys`,
    },
    [`${AUTHORITY}/${tenantId}/discovery/v2.0/keys`]: { keys: [key.publicJwk] },
    [`${AUTHORITY}/${tenantId}/discovery/keys`]: { keys: [key.publicJwk] },
  };
  const hits = new Map<string, number>();
  const fetch: Fetch = async (url) => {
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const doc = docs[url];
    return doc === undefined ? new Response("not found", { status: 404 }) : Response.json(doc);
  };
  const config: EntraAuthConfig = {
    tenantId,
    clientId,
    audiences: [clientId, `api://${clientId}`],
    authority: AUTHORITY,
  };
  const t: FakeTenant = {
    config,
    key,
    v1Issuer,
    v2Issuer,
    fetch,
    hits,
    async token(claims = {}, o = {}) {
      const s = Math.floor(now() / 1000);
      return new SignJWT({
        aud: clientId,
        iss: v2Issuer,
        iat: s,
        nbf: s,
        exp: s + 3600,
        name: "Alice",
        oid: "00000000-0000-4000-8000-00000000a11c",
        preferred_username: "alice@contoso.example",
        roles: ["Failover.Request", "Failover.Read"],
        tid: tenantId,
        ver: "2.0",
        ...claims,
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: o.kid ?? (o.key ?? key).kid })
        .sign((o.key ?? key).privateKey);
    },
    tokens: () => new EntraTokens({ config, keys: new EntraKeys({ authority: AUTHORITY, tenantId, fetch, now }), now }),
    callers: (easyAuth) => Callers.fromConfig({ easyAuth, entra: config }, fetch),
  };
  return t;
}

/** A JWT with any header and payload and no (or a given) signature: for alg "none" and the like. */
export function unsignedJwt(header: object, payload: object, signature = ""): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64(header)}.${b64(payload)}.${signature}`;
}
