// An RS256 signing key for the lab's token issuer, and its public half as a JWKS entry. The private key never
// leaves memory (nothing to protect on disk); the kid is the key's RFC 7638 thumbprint.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey } from "jose";

export interface PublicJwk {
  kty: "RSA";
  use: "sig";
  kid: string;
  n: string;
  e: string;
  alg: "RS256";
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: PublicJwk;
}

export async function newSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { modulusLength: 2048 });
  const { n, e } = await exportJWK(publicKey);
  if (!n || !e) throw new Error("RSA public key export gave no modulus/exponent");
  const kid = await calculateJwkThumbprint({ kty: "RSA", n, e });
  return { kid, privateKey, jwk: { kty: "RSA", use: "sig", kid, n, e, alg: "RS256" } };
}
