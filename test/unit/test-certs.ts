// Self-signed certificates minted in-process for tests (no openssl, no network): an expired one for the
// start-up checks, and an impostor that copies a real root's subject but not its key.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 864e5;

export async function selfSignedPem(subject: string, validDays: { from: number; to: number }): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: subject,
    notBefore: new Date(Date.now() + validDays.from * DAY),
    notAfter: new Date(Date.now() + validDays.to * DAY),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  return cert.toString("pem") + "\n";
}

export const expiredPem = (cn = "Expired Test Root") => selfSignedPem(`CN=${cn}`, { from: -400, to: -30 });
export const validPem = (cn = "Valid Test Root") => selfSignedPem(`CN=${cn}`, { from: -1, to: 365 });
