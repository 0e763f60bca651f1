// The issuer's three routes: discovery and JWKS are public (as Entra's are); the token endpoint takes a JSON
// request and needs the lab's control credential (its ARM token), so only whoever runs the lab mints tokens.
// Errors come back in OAuth's {error, error_description} shape; a 400 also names the offending field.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IssuerHandler, IssuerResponse } from "./https-server";
import type { IssuerEndpoints } from "./metadata";
import { TokenRequestError } from "./token-request";

export interface IssuerRoutesOptions {
  endpoints: IssuerEndpoints;
  metadata: Record<string, unknown>;
  jwks: { keys: unknown[] };
  controlToken: string;
  /** Checks the request body (throws TokenRequestError) and signs a token. */
  mint(body: unknown): Promise<{ token: string; expiresInSeconds: number }>;
}

const oauthError = (status: number, error: string, description: string, extra: object = {}): IssuerResponse => ({
  status,
  body: { error, error_description: description, ...extra },
  headers: { "Cache-Control": "no-store" },
});

// Like Entra's discovery documents: cacheable, private.
const PUBLIC_CACHE = { "Cache-Control": "max-age=86400, private" };

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

function pathOf(url: string): string {
  return new URL(url).pathname.toLowerCase();
}

export function issuerRoutes(o: IssuerRoutesOptions): IssuerHandler {
  const paths = {
    metadata: pathOf(o.endpoints.metadataUrl),
    jwks: pathOf(o.endpoints.jwksUri),
    token: pathOf(o.endpoints.tokenEndpoint),
    authorize: pathOf(o.endpoints.authorizationEndpoint),
  };
  const expected = digest(`Bearer ${o.controlToken}`);
  const authorized = (header: string | undefined): boolean => timingSafeEqual(digest(header ?? ""), expected);
  const only = (method: string, m: string, respond: () => Promise<IssuerResponse> | IssuerResponse) =>
    m === method
      ? respond()
      : {
          ...oauthError(405, "invalid_request", `use ${method}`),
          headers: { Allow: method, "Cache-Control": "no-store" },
        };

  return async (req) => {
    // Tenant ids are GUIDs, whose case carries no meaning: paths match without regard to case.
    const path = req.path.toLowerCase();
    if (path === paths.metadata)
      return only("GET", req.method, () => ({ status: 200, body: o.metadata, headers: PUBLIC_CACHE }));
    if (path === paths.jwks)
      return only("GET", req.method, () => ({ status: 200, body: o.jwks, headers: PUBLIC_CACHE }));
    if (path === paths.authorize)
      return oauthError(
        400,
        "unsupported_response_type",
        `the lab issuer has no interactive sign-in: POST ${o.endpoints.tokenEndpoint} with {"user","roles"} and the lab's token`,
      );
    if (path !== paths.token) return oauthError(404, "not_found", `no such issuer path: ${req.path}`);

    return only("POST", req.method, async () => {
      if (!authorized(req.headers.authorization))
        return {
          ...oauthError(
            401,
            "invalid_client",
            req.headers.authorization
              ? "the bearer token is not the lab's token"
              : "Authorization: Bearer <the lab's token (info.arm.token)> is required",
          ),
          headers: { "WWW-Authenticate": 'Bearer realm="pgflex-lab"', "Cache-Control": "no-store" },
        };
      let body: unknown;
      try {
        body = req.body.trim() === "" ? undefined : JSON.parse(req.body);
      } catch {
        return oauthError(400, "invalid_request", "body: not valid JSON", { field: "body" });
      }
      try {
        const { token, expiresInSeconds } = await o.mint(body);
        return {
          status: 200,
          body: { token_type: "Bearer", access_token: token, expires_in: expiresInSeconds },
          headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
        };
      } catch (e) {
        if (e instanceof TokenRequestError) return oauthError(400, "invalid_request", e.message, { field: e.field });
        throw e;
      }
    });
  };
}
