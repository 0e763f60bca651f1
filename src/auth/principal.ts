// Who is calling, as App Service Authentication ("Easy Auth") says: it validates the caller's Entra
// token and passes the principal in X-MS-CLIENT-PRINCIPAL (base64 JSON of claims). The header is trusted
// only when the platform says authentication is on (WEBSITE_AUTH_ENABLED); otherwise anyone could send it.

export interface Principal {
  /** Entra object id: the stable identity the audit and the two-person rule rely on. */
  oid: string;
  name: string;
  roles: string[];
  idp: string;
}

interface EasyAuthPrincipal {
  auth_typ?: string;
  claims?: { typ?: unknown; val?: unknown }[];
  name_typ?: string;
  role_typ?: string;
}

const OID_TYPES = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const NAME_TYPES = ["name", "preferred_username", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"];
const ROLE_TYPES = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];

export function authEnabled(env: Record<string, string | undefined>): boolean {
  return (env.WEBSITE_AUTH_ENABLED ?? "").toLowerCase() === "true";
}

type HeaderGetter = { get(name: string): string | null };

/** The verified caller, or undefined when there is none (or the platform did not vouch for one). */
export function principalFrom(headers: HeaderGetter, env: Record<string, string | undefined>): Principal | undefined {
  if (!authEnabled(env)) return undefined;
  const raw = headers.get("x-ms-client-principal");
  if (!raw) return undefined;
  let p: EasyAuthPrincipal;
  try {
    p = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as EasyAuthPrincipal;
  } catch {
    return undefined;
  }
  const claims = (p.claims ?? []).filter(
    (c): c is { typ: string; val: string } => typeof c.typ === "string" && typeof c.val === "string",
  );
  const first = (types: string[]) => types.map((t) => claims.find((c) => c.typ === t)?.val).find((v) => v);
  const oid = first(OID_TYPES) ?? headers.get("x-ms-client-principal-id") ?? undefined;
  if (!oid) return undefined;
  const roleTypes = p.role_typ ? [p.role_typ, ...ROLE_TYPES] : ROLE_TYPES;
  const roles = [...new Set(claims.filter((c) => roleTypes.includes(c.typ)).map((c) => c.val))];
  const name =
    first(p.name_typ ? [p.name_typ, ...NAME_TYPES] : NAME_TYPES) ?? headers.get("x-ms-client-principal-name") ?? oid;
  return { oid, name, roles, idp: p.auth_typ ?? headers.get("x-ms-client-principal-idp") ?? "unknown" };
}
