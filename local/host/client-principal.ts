// The identity headers App Service Authentication injects for a caller validated by the Microsoft
// Entra ("aad") provider:
//   X-MS-CLIENT-PRINCIPAL       base64(JSON {auth_typ, claims: [{typ, val}], name_typ, role_typ})
//   X-MS-CLIENT-PRINCIPAL-ID    the caller's object id (oid; sub when there is none)
//   X-MS-CLIENT-PRINCIPAL-NAME  preferred_username (else upn, email, unique_name, name)
//   X-MS-CLIENT-PRINCIPAL-IDP   "aad"
// Claims keep the token's order; an array claim becomes one entry per value (several "roles" entries);
// numbers and booleans become their JSON text. Claim types go through the same inbound mapping as .NET's
// JwtSecurityTokenHandler for the short names listed in INBOUND_CLAIM_TYPES (oid, sub, tid → long URIs)
// while `roles`, `name`, `preferred_username`, `groups` and the rest stay as they are in the token.
// The sources for each of these choices are in README.md ("App Service Authentication").
import type { JWTPayload } from "jose";

export const PRINCIPAL_HEADERS = [
  "x-ms-client-principal",
  "x-ms-client-principal-id",
  "x-ms-client-principal-name",
  "x-ms-client-principal-idp",
] as const;

export const AUTH_TYPE = "aad";
export const NAME_CLAIM_TYPE = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
export const ROLE_CLAIM_TYPE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

/** Short JWT claim names that reach the app under their long claim-type URI. */
export const INBOUND_CLAIM_TYPES: Readonly<Record<string, string>> = {
  oid: "http://schemas.microsoft.com/identity/claims/objectidentifier",
  sub: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
  tid: "http://schemas.microsoft.com/identity/claims/tenantid",
  scp: "http://schemas.microsoft.com/identity/claims/scope",
  idp: "http://schemas.microsoft.com/identity/claims/identityprovider",
  email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  upn: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
  unique_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  given_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
  family_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
};

export interface ClientPrincipal {
  auth_typ: string;
  claims: { typ: string; val: string }[];
  name_typ: string;
  role_typ: string;
}

const claimText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function clientPrincipal(payload: JWTPayload): ClientPrincipal {
  const claims: { typ: string; val: string }[] = [];
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    const typ = INBOUND_CLAIM_TYPES[name] ?? name;
    for (const v of Array.isArray(value) ? value : [value]) claims.push({ typ, val: claimText(v) });
  }
  return { auth_typ: AUTH_TYPE, claims, name_typ: NAME_CLAIM_TYPE, role_typ: ROLE_CLAIM_TYPE };
}

const firstString = (payload: JWTPayload, names: string[]): string | undefined => {
  for (const n of names) {
    const v = payload[n];
    if (typeof v === "string" && v !== "") return v;
  }
  return undefined;
};

/** The four headers (lower-case names), for a validated token's payload. */
export function principalHeaders(payload: JWTPayload): Record<string, string> {
  const headers: Record<string, string> = {
    "x-ms-client-principal": Buffer.from(JSON.stringify(clientPrincipal(payload)), "utf8").toString("base64"),
    "x-ms-client-principal-idp": AUTH_TYPE,
  };
  const id = firstString(payload, ["oid", "sub"]);
  if (id !== undefined) headers["x-ms-client-principal-id"] = id;
  const name = firstString(payload, ["preferred_username", "upn", "email", "unique_name", "name"]);
  if (name !== undefined) headers["x-ms-client-principal-name"] = name;
  return headers;
}
