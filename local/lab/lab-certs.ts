// The lab's certificates on disk: the lab CA, a rogue CA, per server a genuine and a look-alike rogue leaf
// naming only that server (never the CNAME), and the leaves of the ARM emulator and the token issuer.
import path from "node:path";
import { createCa, issueServerCert, type Leaf } from "./certs";
import { mkdirMode, writeFileMode } from "./files";
import type { PgRunner } from "./pg-bin";
import type { ServerInfo } from "./types";

export interface CertFiles {
  cert: string;
  key: string;
}

export interface LabCerts {
  caPem: string;
  rogueCaPem: string;
  caFile: string;
  rogueCaFile: string;
  servers: { primary: ServerCerts; replica: ServerCerts };
  arm: Leaf;
  identity: Leaf;
  /** Every file the server user reads. */
  serverReadable: string[];
}

export interface ServerCerts {
  genuine: CertFiles;
  rogue: CertFiles;
}

export async function writeLabCerts(
  dir: string,
  runner: PgRunner,
  servers: { primary: ServerInfo; replica: ServerInfo },
): Promise<LabCerts> {
  const [ca, rogueCa] = await Promise.all([createCa("pgflex lab CA"), createCa("pgflex rogue CA")]);
  const names = (s: ServerInfo): string[] => [s.fqdn, s.aRecordFqdn];
  const [pCert, rCert, pRogue, rRogue, arm, identity] = await Promise.all([
    issueServerCert(ca, names(servers.primary)),
    issueServerCert(ca, names(servers.replica)),
    issueServerCert(rogueCa, names(servers.primary)),
    issueServerCert(rogueCa, names(servers.replica)),
    issueServerCert(ca, ["localhost"], ["127.0.0.1"]),
    issueServerCert(ca, ["localhost"], ["127.0.0.1"]),
  ]);
  const certDir = path.join(dir, "certs");
  mkdirMode(certDir, 0o755);
  const caFile = path.join(dir, "ca.crt");
  const rogueCaFile = path.join(dir, "rogue-ca.crt");
  writeFileMode(caFile, ca.certPem, 0o644);
  writeFileMode(rogueCaFile, rogueCa.certPem, 0o644);
  const writeLeaf = (base: string, leaf: Leaf): CertFiles => {
    const cert = path.join(certDir, `${base}.crt`);
    const key = path.join(certDir, `${base}.key`);
    writeFileMode(cert, leaf.certPem, 0o644);
    writeFileMode(key, leaf.keyPem, 0o600); // PostgreSQL refuses group/world-readable keys
    runner.chown(cert);
    runner.chown(key);
    return { cert, key };
  };
  const primary = { genuine: writeLeaf("primary", pCert), rogue: writeLeaf("primary-rogue", pRogue) };
  const replica = { genuine: writeLeaf("replica", rCert), rogue: writeLeaf("replica-rogue", rRogue) };
  return {
    caPem: ca.certPem,
    rogueCaPem: rogueCa.certPem,
    caFile,
    rogueCaFile,
    servers: { primary, replica },
    arm,
    identity,
    serverReadable: [
      caFile,
      ...[primary, replica].flatMap((s) => [s.genuine, s.rogue]).flatMap((f) => [f.cert, f.key]),
    ],
  };
}
