// Private CA and leaf certificates (ECDSA P-256) generated in-process with @peculiar/x509 — no openssl needed.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Ca {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  certPem: string;
}
export interface Leaf {
  certPem: string;
  keyPem: string;
}

const pem = (buf: ArrayBuffer, label: string): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(buf)
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END ${label}-----\n`;
// Positive serial: a leading byte < 0x80.
const serial = (): string => "1" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(15))).toString("hex");

export async function createCa(commonName: string): Promise<Ca> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - 3600e3),
    notAfter: new Date(Date.now() + 365 * 864e5),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, certPem: cert.toString("pem") + "\n" };
}

/** A server certificate naming exactly the given DNS names and IPs (nothing else — verify-full depends on it). */
export async function issueServerCert(ca: Ca, dnsNames: string[], ips: string[] = []): Promise<Leaf> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${dnsNames[0] ?? ips[0]}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 3600e3),
    notAfter: new Date(Date.now() + 90 * 864e5),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...ips.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem") + "\n", keyPem: pem(pkcs8, "PRIVATE KEY") };
}
