// Validates an Entra token the app is handed, by itself (Easy Auth may or may not be in front): RS256 only,
// signature by a key of the tenant's JWKS (from OpenID discovery), `iss` exactly the tenant's issuer for the
// token's version, `tid` the tenant, `aud` one of this app's audiences (an ID token's audience is the client
// id, nothing else), `exp` required and `exp`/`nbf` with a small clock skew. Rejections carry a reason that is
// safe to show and log: never a claim value or any part of the token.
import { decodeJwt, errors, jwtVerify, type JWTPayload } from "jose";
import type { EntraAuthConfig } from "../config/settings";
import type { EntraKeys, TokenVersion } from "./entra-keys";

/** Tolerance for clocks that disagree: the 5 minutes Easy Auth and Microsoft.IdentityModel allow. */
export const CLOCK_SKEW_SECONDS = 300;

/** An access token (Authorization: Bearer, X-MS-TOKEN-AAD-ACCESS-TOKEN) or an ID token (X-MS-TOKEN-AAD-ID-TOKEN). */
export type TokenKind = "access" | "id";

export class TokenRejected extends Error {}

export interface EntraTokensOptions {
  config: Pick<EntraAuthConfig, "tenantId" | "clientId" | "audiences">;
  keys: EntraKeys;
  now?: () => number;
}

export class EntraTokens {
  constructor(private readonly o: EntraTokensOptions) {}

  /** The token's verified claims; throws TokenRejected with the reason. */
  async validate(token: string, kind: TokenKind): Promise<JWTPayload> {
    const version = tokenVersion(token);
    let issuer: string;
    let keys: Awaited<ReturnType<EntraKeys["issuer"]>>["keys"];
    try {
      ({ issuer, keys } = await this.o.keys.issuer(version));
    } catch (err) {
      throw new TokenRejected(`the tenant's signing keys are unavailable: ${(err as Error).message}`, { cause: err });
    }
    const { clientId, audiences, tenantId } = this.o.config;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ["RS256"],
        issuer,
        audience: kind === "id" ? clientId : audiences,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ["exp"],
        currentDate: this.o.now ? new Date(this.o.now()) : undefined,
      }));
    } catch (err) {
      throw new TokenRejected(rejection(err, kind, audiences), { cause: err });
    }
    if (typeof payload.tid !== "string" || payload.tid.toLowerCase() !== tenantId.toLowerCase())
      throw new TokenRejected(`the token is not from tenant ${tenantId} (tid)`);
    return payload;
  }
}

/** Which metadata document a token is checked against, from its (not yet verified) `ver` claim. */
function tokenVersion(token: string): TokenVersion {
  let ver: unknown;
  try {
    ver = decodeJwt(token).ver;
  } catch {
    throw new TokenRejected("not a JWT");
  }
  if (ver === "1.0" || ver === "2.0") return ver;
  throw new TokenRejected('not an Entra token: its version (ver) is neither "1.0" nor "2.0"');
}

function rejection(err: unknown, kind: TokenKind, audiences: string[]): string {
  if (err instanceof errors.JWTExpired) return "the token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return "the token's issuer is not the tenant's";
    if (err.claim === "aud")
      return kind === "id"
        ? `the ID token is not for this app (its audience must be the client id ${audiences[0]})`
        : `the token is not for this app (its audience must be one of ${audiences.join(", ")})`;
    if (err.claim === "nbf") return "the token is not valid yet (nbf)";
    if (err.claim === "exp") return "the token has no expiry (exp)";
    return `the token's ${err.claim} claim is invalid`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (err instanceof errors.JWKSNoMatchingKey) return "the token is not signed by a key of the tenant";
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return "the token's signing algorithm is not allowed (RS256 only)";
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return "the token is malformed";
  // A key set that could not be fetched surfaces as a timeout, a generic JOSE error or a network error.
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError) || err.code === "ERR_JOSE_GENERIC")
    return `the tenant's signing keys are unavailable: ${(err as Error).message}`;
  return `the token is not valid (${err.code})`;
}
