// Who is calling, from the claims of a token the app validated itself (src/auth/entra-tokens.ts). Never from
// Easy Auth's X-MS-CLIENT-PRINCIPAL: if the platform's authentication is not running in front of the app, that
// header is whatever the caller sent.
import type { JWTPayload } from "jose";

import type { Principal } from "../domain/principal";

export type { Principal };

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/**
 * The principal of validated claims, or undefined without an object id. The name is the display name, else the
 * sign-in name (v2 preferred_username, v1 upn), else for an application calling as itself its client id
 * (v1 appid, v2 azp).
 */
export function principalFromClaims(claims: JWTPayload): Principal | undefined {
  const oid = text(claims.oid);
  if (!oid) return undefined;
  const name =
    text(claims.name) ??
    text(claims.preferred_username) ??
    text(claims.upn) ??
    text(claims.appid) ??
    text(claims.azp) ??
    oid;
  const roles = Array.isArray(claims.roles) ? [...new Set(claims.roles.filter((r) => typeof r === "string"))] : [];
  return { oid, name, roles, idp: "aad" };
}
