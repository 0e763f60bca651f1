// The issuer's addresses (the same paths as login.microsoftonline.com's v2.0 endpoints, under the lab's origin)
// and its OpenID Connect discovery document.

export interface IssuerEndpoints {
  /** "https://127.0.0.1:<port>/<tenantId>/v2.0", no trailing slash (the iss claim, exactly). */
  issuer: string;
  metadataUrl: string;
  jwksUri: string;
  tokenEndpoint: string;
  authorizationEndpoint: string;
}

export function issuerEndpoints(origin: string, tenantId: string): IssuerEndpoints {
  const base = `${origin}/${tenantId}`;
  const issuer = `${base}/v2.0`;
  return {
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${base}/discovery/v2.0/keys`,
    tokenEndpoint: `${base}/oauth2/v2.0/token`,
    authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
  };
}

export const CLAIMS_SUPPORTED = [
  "aud",
  "iss",
  "iat",
  "nbf",
  "exp",
  "azp",
  "azpacr",
  "name",
  "oid",
  "preferred_username",
  "roles",
  "sub",
  "tid",
  "uti",
  "ver",
];

export function openIdConfiguration(e: IssuerEndpoints): Record<string, unknown> {
  return {
    issuer: e.issuer,
    // Discovery requires an authorization endpoint; the lab has no interactive sign-in there (it says so).
    authorization_endpoint: e.authorizationEndpoint,
    token_endpoint: e.tokenEndpoint,
    jwks_uri: e.jwksUri,
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    claims_supported: CLAIMS_SUPPORTED,
  };
}
