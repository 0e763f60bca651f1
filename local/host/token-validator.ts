// Validates an Entra v2 access token as App Service Authentication does for the Microsoft Entra
// provider: RS256 signature against the issuer's keys, `iss` equal to the configured openIdIssuer,
// `aud` among the allowed audiences (the clientId always counts as one), `exp` required and `exp`/
// `nbf` checked with a 5-minute clock skew. Rejections carry a reason that is safe to log (no token).
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { IssuerKeys } from "./issuer-keys";

/** Easy Auth's grace period for expired tokens ("5 minute grace period ... to account for clock skew"). */
export const CLOCK_SKEW_SECONDS = 300;

export class TokenRejected extends Error {}

export interface TokenValidatorOptions {
  keys: IssuerKeys;
  issuer: string;
  clientId: string;
  allowedAudiences: readonly string[];
  now?: () => number;
}

export class TokenValidator {
  private readonly audiences: string[];

  constructor(private readonly o: TokenValidatorOptions) {
    this.audiences = [...new Set([o.clientId, ...o.allowedAudiences])];
  }

  async validate(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.o.keys.resolveKey, {
        algorithms: ["RS256"],
        issuer: this.o.issuer,
        audience: this.audiences,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ["exp"],
        currentDate: this.o.now ? new Date(this.o.now()) : undefined,
      });
      return payload;
    } catch (err) {
      throw new TokenRejected(describeRejection(err), { cause: err });
    }
  }
}

function describeRejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "token expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return `issuer ${JSON.stringify(err.payload.iss)} is not the configured openIdIssuer`;
    if (err.claim === "aud") return `audience ${JSON.stringify(err.payload.aud)} is not allowed`;
    if (err.claim === "nbf") return "token not yet valid (nbf)";
    return `claim '${err.claim}' invalid: ${err.reason}`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return "signature verification failed";
  if (err instanceof errors.JWKSNoMatchingKey) return "no issuer key matches the token's key id";
  if (err instanceof errors.JOSEAlgNotAllowed) return "signing algorithm not allowed (RS256 only)";
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return `malformed token: ${err.message}`;
  if (err instanceof errors.JOSEError) return `${err.code}: ${err.message}`;
  return `issuer keys unavailable: ${(err as Error).message}`;
}
