// What a caller may ask the lab's token issuer for, checked field by field: the same rules for the code API
// and the token endpoint, and every refusal names the field (the endpoint answers it as a 400).

export interface TokenRequest {
  /** Lab user name, e.g. "alice": the token's preferred_username is "<user>@lab.example". Case-insensitive. */
  user: string;
  /** App roles, e.g. ["Failover.Request"]; an empty array gives a token without a roles claim. */
  roles: string[];
  /** Display name; default: the user name with a capital first letter. */
  name?: string;
  /** Lifetime from now; default 3600. Negative: a token that expired that long ago (forged/expired tests). */
  expiresInSeconds?: number;
}

export interface CheckedTokenRequest {
  /** Lower-cased: "Alice" and "alice" are one user (as UPNs are in Entra). */
  user: string;
  roles: string[];
  name: string;
  expiresInSeconds: number;
}

export const DEFAULT_LIFETIME_SECONDS = 3600;
/** A day either way: enough for any test, and a typo (ms for s) is refused instead of minting a month-long token. */
export const MAX_LIFETIME_SECONDS = 86_400;

const FIELDS = new Set(["user", "roles", "name", "expiresInSeconds"]);
// A mailbox local part the lab's UPN suffix can follow: letters, digits, . _ - inside.
const USER = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/i;
// Entra app role values contain no whitespace.
const ROLE = /^\S{1,120}$/;

export class TokenRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "TokenRequestError";
  }
}

export function checkTokenRequest(body: unknown): CheckedTokenRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new TokenRequestError("body", 'must be a JSON object like {"user":"alice","roles":["Failover.Read"]}');
  const o = body as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!FIELDS.has(key))
      throw new TokenRequestError(key, "unknown field (allowed: user, roles, name, expiresInSeconds)");

  if (o.user === undefined) throw new TokenRequestError("user", "required");
  if (typeof o.user !== "string" || !USER.test(o.user))
    throw new TokenRequestError("user", "must be a user name of letters, digits, '.', '_' or '-' (at most 64)");
  const user = o.user.toLowerCase();

  if (o.roles === undefined)
    throw new TokenRequestError("roles", "required (an array of app role names; may be empty)");
  if (!Array.isArray(o.roles)) throw new TokenRequestError("roles", "must be an array of app role names");
  const roles: string[] = [];
  for (const [i, r] of o.roles.entries()) {
    if (typeof r !== "string" || !ROLE.test(r))
      throw new TokenRequestError(`roles[${i}]`, "must be a role name without whitespace (at most 120 characters)");
    if (!roles.includes(r)) roles.push(r);
  }

  let name = user.charAt(0).toUpperCase() + user.slice(1);
  if (o.name !== undefined) {
    if (typeof o.name !== "string" || o.name.trim() === "" || o.name.length > 256 || /\p{Cc}/u.test(o.name))
      throw new TokenRequestError(
        "name",
        "must be a non-empty display name (at most 256 characters, no control characters)",
      );
    name = o.name;
  }

  let expiresInSeconds = DEFAULT_LIFETIME_SECONDS;
  if (o.expiresInSeconds !== undefined) {
    const e = o.expiresInSeconds;
    if (typeof e !== "number" || !Number.isInteger(e) || Math.abs(e) > MAX_LIFETIME_SECONDS)
      throw new TokenRequestError(
        "expiresInSeconds",
        `must be a whole number of seconds from -${MAX_LIFETIME_SECONDS} to ${MAX_LIFETIME_SECONDS} (negative: already expired)`,
      );
    expiresInSeconds = e;
  }
  return { user, roles, name, expiresInSeconds };
}
