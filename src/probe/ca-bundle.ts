// The CA bundle a probe trusts. Default: the roots Azure Database for PostgreSQL certificates chain to
// (Microsoft's TLS guidance), carried with the app (src/probe/azure-roots.ts) and checked by fingerprint, so
// verify-ca never trusts a public CA that Azure does not use, whatever Node's own store holds.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  DIGICERT_GLOBAL_ROOT_CA,
  DIGICERT_GLOBAL_ROOT_G2,
  MICROSOFT_ECC_ROOT_2017,
  MICROSOFT_RSA_ROOT_2017,
} from "./azure-roots";

/** The roots the app carries (one PEM each). */
export const CARRIED_ROOTS: readonly string[] = [
  DIGICERT_GLOBAL_ROOT_G2,
  DIGICERT_GLOBAL_ROOT_CA,
  MICROSOFT_RSA_ROOT_2017,
  MICROSOFT_ECC_ROOT_2017,
];

/**
 * The four roots, matched by SHA-256 fingerprint: a subject name proves nothing (anyone can mint a
 * certificate called "DigiCert Global Root G2"), and Node's subjects are not the short names Microsoft's
 * documentation uses ("Microsoft RSA Root Certificate Authority 2017", not "Microsoft RSA Root CA 2017").
 * Fingerprints read from Node 20's tls.rootCertificates, cross-checked against Microsoft's TLS how-to for
 * Azure Cosmos DB for PostgreSQL (the expected `openssl x509 -sha256 -fingerprint` output for both DigiCert
 * roots) and Amazon Corretto's cacerts test list, AmazonCACertConstants.java (both Microsoft 2017 roots).
 */
export const AZURE_POSTGRES_ROOTS = [
  {
    name: "DigiCert Global Root G2",
    sha256: "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
  },
  {
    name: "DigiCert Global Root CA",
    sha256: "43:48:A0:E9:44:4C:78:CB:26:5E:05:8D:5E:89:44:B4:D8:4F:96:62:BD:26:DB:25:7F:89:34:A4:43:C7:01:61",
  },
  {
    name: "Microsoft RSA Root Certificate Authority 2017",
    sha256: "C7:41:F7:0F:4B:2A:8D:88:BF:2E:71:C1:41:22:EF:53:EF:10:EB:A0:CF:A5:E6:4C:FA:20:F4:18:85:30:73:E0",
  },
  {
    name: "Microsoft ECC Root Certificate Authority 2017",
    sha256: "35:8D:F3:9D:76:4A:F9:E1:B7:66:E9:C9:72:DF:35:2E:E1:5C:FA:C2:27:AF:6A:D1:D7:0E:8E:4A:6E:DC:BA:02",
  },
] as const;

let checked: string[] | undefined; // the carried roots cannot change while the process runs

/** The Azure PostgreSQL roots from a set of PEMs (the carried ones by default); throws unless all four are there. */
export function azurePostgresRoots(store: readonly string[] = CARRIED_ROOTS): string[] {
  if (store === CARRIED_ROOTS && checked) return [...checked];
  const byFingerprint = new Map(store.map((pem) => [new X509Certificate(pem).fingerprint256, pem]));
  const found: string[] = [];
  const missing: string[] = [];
  for (const root of AZURE_POSTGRES_ROOTS) {
    const pem = byFingerprint.get(root.sha256);
    if (pem) found.push(pem);
    else missing.push(root.name);
  }
  if (missing.length)
    throw new Error(
      `the root bundle lacks ${missing.join(", ")} (of the four Azure PostgreSQL roots); ` +
        "set probe.caFile to a PEM file holding them",
    );
  if (store === CARRIED_ROOTS) checked = found;
  return found;
}

export function caBundle(caFile: string | undefined): string[] {
  return caFile ? [readFileSync(caFile, "utf8")] : azurePostgresRoots();
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * What is wrong with a PEM bundle meant as a trust anchor, or undefined when it is usable: it must hold at
 * least one parseable certificate and at least one that has not expired (an expired-only bundle would fail
 * every verify-ca/verify-full connection, which a failover finds out only mid-run).
 */
export function caBundleProblem(pem: string, now: Date = new Date()): string | undefined {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return "holds no PEM certificate";
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      return `certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`;
    }
  }
  const valid = certs.filter((c) => new Date(c.validTo) > now);
  if (valid.length === 0) {
    const latest = certs.map((c) => new Date(c.validTo)).sort((a, b) => b.getTime() - a.getTime())[0];
    return `every certificate in it has expired (the latest on ${latest?.toISOString().slice(0, 10)})`;
  }
  return undefined;
}
