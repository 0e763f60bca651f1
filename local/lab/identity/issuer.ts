// startIssuer(): the lab's Entra-like token issuer — a tenant and an app registration of its own (random ids per
// lab), an RS256 key published as a JWKS, OpenID discovery, and tokens for lab users with chosen app roles.
// A second key, never published, signs forgeries: same kid and claims, so only the signature gives them away.
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { accessTokenClaims, LAB_CALLER_CLIENT_ID, userIds, type Tenant, type UserIds } from "./claims";
import { startHttpsServer } from "./https-server";
import { issuerRoutes } from "./issuer-routes";
import { newSigningKey, type SigningKey } from "./keys";
import { issuerEndpoints, openIdConfiguration } from "./metadata";
import { checkTokenRequest, type TokenRequest } from "./token-request";
import type { IdentityInfo } from "../types";

/** LabInfo.identity without the settings file (the lab writes that). */
export type IssuerInfo = Omit<IdentityInfo, "authSettingsFile">;

export interface Issuer {
  info: IssuerInfo;
  /** A token signed by the published key. Throws TokenRequestError (naming the field) on bad input. */
  token(req: TokenRequest): Promise<string>;
  /** The same token signed by a key that is in no JWKS (the header still names the genuine kid). */
  forgedToken(req: TokenRequest): Promise<string>;
  /** The oid, sub and preferred_username tokens for this user carry. */
  user(user: string): UserIds;
  close(): Promise<void>;
}

export interface IssuerOptions {
  cert: string;
  key: string;
  /** The lab's control credential; the token endpoint requires it as a bearer token. */
  controlToken: string;
  log: (line: string) => void;
}

async function sign(tenant: Tenant, body: unknown, key: SigningKey, kid: string) {
  const req = checkTokenRequest(body);
  const token = await new SignJWT(accessTokenClaims(tenant, req))
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
    .sign(key.privateKey);
  return { token, expiresInSeconds: req.expiresInSeconds };
}

export async function startIssuer(o: IssuerOptions): Promise<Issuer> {
  const [genuine, forger] = await Promise.all([newSigningKey(), newSigningKey()]);
  const tenantId = randomUUID();
  const clientId = randomUUID();
  // The addresses contain the port: the routes are mounted once the server listens.
  const server = await startHttpsServer({ cert: o.cert, key: o.key, log: o.log });
  const endpoints = issuerEndpoints(`https://127.0.0.1:${server.port}`, tenantId);
  const tenant: Tenant = { issuer: endpoints.issuer, tenantId, clientId, idSalt: randomBytes(32) };
  server.mount(
    issuerRoutes({
      endpoints,
      metadata: openIdConfiguration(endpoints),
      jwks: { keys: [genuine.jwk] },
      controlToken: o.controlToken,
      mint: (body) => sign(tenant, body, genuine, genuine.kid),
    }),
  );
  o.log(`identity: issuer ${endpoints.issuer} (client id ${clientId})`);
  return {
    info: {
      issuer: endpoints.issuer,
      tenantId,
      clientId,
      callerClientId: LAB_CALLER_CLIENT_ID,
      jwksUri: endpoints.jwksUri,
      tokenEndpoint: endpoints.tokenEndpoint,
      metadataUrl: endpoints.metadataUrl,
    },
    token: async (req) => (await sign(tenant, req, genuine, genuine.kid)).token,
    forgedToken: async (req) => (await sign(tenant, req, forger, genuine.kid)).token,
    user: (user) => userIds(tenant, checkTokenRequest({ user, roles: [] }).user),
    close: () => server.close(),
  };
}
