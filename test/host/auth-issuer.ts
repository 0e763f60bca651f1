// A small Entra-like token issuer for the App Service Authentication tests: RSA keys made with jose,
// discovery document and JWKS served over HTTPS on 127.0.0.1 with a certificate from a test CA.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { createCa, issueServerCert } from "../../local/lab/certs";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function newSigningKey(kid: string = randomUUID()): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" };
  return { kid, privateKey, jwk };
}

export interface TestIssuer {
  tenantId: string;
  /** openIdIssuer: https://127.0.0.1:<port>/<tenantId>/v2.0 */
  issuer: string;
  caPem: string;
  /** File holding caPem (for LOCALHOST_AUTH_CA_FILE). */
  caFile: string;
  /** A CA that did not sign the server certificate (TLS must refuse the issuer with it). */
  otherCaFile: string;
  key: SigningKey;
  /** Keys published in the JWKS (mutable: push to rotate). */
  published: SigningKey[];
  /** Number of JWKS / metadata requests served. */
  hits: { jwks: number; metadata: number };
  /** Signs a token: defaults are a valid v2 access token for `audience`, overridden by `claims`. */
  token(
    audience: string,
    claims?: JWTPayload,
    opts?: { key?: SigningKey; kid?: string; alg?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(dir: string): Promise<TestIssuer> {
  const ca = await createCa("pgflex test issuer CA");
  const otherCa = await createCa("unrelated CA");
  const leaf = await issueServerCert(ca, ["localhost"], ["127.0.0.1"]);
  const tenantId = randomUUID();
  const key = await newSigningKey();
  const published = [key];
  const hits = { jwks: 0, metadata: 0 };
  let base = "";
  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      hits.metadata++;
      return send({
        issuer: `${base}/${tenantId}/v2.0`,
        authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
        jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (req.url === `/${tenantId}/discovery/v2.0/keys`) {
      hits.jwks++;
      return send({ keys: published.map((k) => k.jwk) });
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/${tenantId}/v2.0`;
  const caFile = join(dir, "issuer-ca.pem");
  writeFileSync(caFile, ca.certPem);
  const otherCaFile = join(dir, "other-ca.pem");
  writeFileSync(otherCaFile, otherCa.certPem);

  const token: TestIssuer["token"] = async (audience, claims = {}, opts = {}) => {
    const k = opts.key ?? key;
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      aud: audience,
      iss: issuer,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: "Dana Operator",
      oid: "00000000-0000-0000-0000-0000000000a1",
      preferred_username: "dana@contoso.example",
      roles: ["Failover.Read", "Failover.Request"],
      sub: "sub-dana",
      tid: tenantId,
      ver: "2.0",
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: opts.alg ?? "RS256", typ: "JWT", kid: opts.kid ?? k.kid })
      .sign(k.privateKey);
  };

  return {
    tenantId,
    issuer,
    caPem: ca.certPem,
    caFile,
    otherCaFile,
    key,
    published,
    hits,
    token,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
