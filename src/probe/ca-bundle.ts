// The CA bundle a probe trusts. Default: the roots Azure Database for PostgreSQL certificates chain to
// (Microsoft's TLS guidance), taken from Node's own root store, so verify-ca never trusts a public CA
// that Azure does not use.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

export const AZURE_POSTGRES_ROOTS = [
  "DigiCert Global Root G2",
  "DigiCert Global Root CA",
  "Microsoft RSA Root CA 2017",
  "Microsoft ECC Root CA 2017",
];

export function azurePostgresRoots(): string[] {
  const found = rootCertificates.filter((pem) => {
    const cn = /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1];
    return cn !== undefined && AZURE_POSTGRES_ROOTS.includes(cn.trim());
  });
  if (found.length === 0)
    throw new Error("none of the Azure PostgreSQL root CAs is in this Node's root store; set probe.caFile");
  return found;
}

export function caBundle(caFile: string | undefined): string[] {
  return caFile ? [readFileSync(caFile, "utf8")] : azurePostgresRoots();
}
