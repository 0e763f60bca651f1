// The claims of a lab access token, shaped like an Entra ID v2.0 access token for a user calling an API that
// defines app roles (Microsoft Learn, "Access token claims reference"): no scp, the user's app roles in roles.
// oid and sub are derived from a per-lab secret, so they are stable per user within a lab and differ across labs.
import { createHmac, randomBytes } from "node:crypto";
import type { CheckedTokenRequest } from "./token-request";

/** The lab's stand-in for the calling client application (Entra's azp: the app that requested the token). */
export const LAB_CALLER_CLIENT_ID = "5f0c4a53-7e0e-4c1a-9d55-1ab0ca11e701";
export const LAB_UPN_SUFFIX = "lab.example";

export interface Tenant {
  issuer: string;
  tenantId: string;
  /** The app registration's client id: the tokens' audience. */
  clientId: string;
  /** Per-lab secret from which user object ids and subjects are derived. */
  idSalt: Buffer;
}

export interface UserIds {
  oid: string;
  sub: string;
  preferredUsername: string;
}

const digest = (salt: Buffer, what: string): Buffer => createHmac("sha256", salt).update(what).digest();

export function userIds(t: Tenant, user: string): UserIds {
  const u = user.toLowerCase();
  const b = digest(t.idSalt, `oid\0${u}`).subarray(0, 16);
  // Shaped as a random (version 4) UUID, like Entra's object ids.
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString("hex");
  const oid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  // Entra's sub is pairwise: unique to the user *and* the application.
  const sub = digest(t.idSalt, `sub\0${t.clientId}\0${u}`).toString("base64url");
  return { oid, sub, preferredUsername: `${u}@${LAB_UPN_SUFFIX}` };
}

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  azp: string;
  azpacr: "0";
  name: string;
  oid: string;
  preferred_username: string;
  roles?: string[];
  sub: string;
  tid: string;
  uti: string;
  ver: "2.0";
  [claim: string]: unknown;
}

export function accessTokenClaims(t: Tenant, req: CheckedTokenRequest, nowMs = Date.now()): AccessTokenClaims {
  const now = Math.floor(nowMs / 1000);
  const exp = now + req.expiresInSeconds;
  // An already-expired token looks like one that lived a normal hour and ran out, not one issued after it expired.
  const iat = req.expiresInSeconds >= 0 ? now : exp - 3600;
  const ids = userIds(t, req.user);
  return {
    aud: t.clientId,
    iss: t.issuer,
    iat,
    nbf: iat,
    exp,
    azp: LAB_CALLER_CLIENT_ID,
    azpacr: "0", // a public client, as a CLI signing a user in is
    name: req.name,
    oid: ids.oid,
    preferred_username: ids.preferredUsername,
    ...(req.roles.length > 0 ? { roles: [...req.roles] } : {}), // Entra leaves out claims without a value
    sub: ids.sub,
    tid: t.tenantId,
    uti: randomBytes(16).toString("base64url"), // per-token id (Entra's jti)
    ver: "2.0",
  };
}
