// The lab's certificates on disk: the lab CA, a rogue CA, per server a genuine and a look-alike rogue leaf
// naming only that server (never a CNAME), and the leaves of the ARM emulator and the token issuer.
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
  /** By server name. */
  servers: Map<string, ServerCerts>;
  arm: Leaf;
  identity: Leaf;
  /** Every file the server user reads. */
  serverReadable: string[];
  /** A genuine and a rogue leaf for a server created later (a re-protection's replica), written beside the others. */
  issue(server: ServerInfo): Promise<ServerCerts>;
}

export interface ServerCerts {
  genuine: CertFiles;
  rogue: CertFiles;
}

/** `servers` in pair order, each pair's primary then replica: pair 0's files keep their names (primary, replica). */
export async function writeLabCerts(dir: string, runner: PgRunner, servers: ServerInfo[]): Promise<LabCerts> {
  const [ca, rogueCa] = await Promise.all([createCa("pgflex lab CA"), createCa("pgflex rogue CA")]);
  const names = (s: ServerInfo): string[] => [s.fqdn, s.aRecordFqdn];
  const [arm, identity, ...leaves] = await Promise.all([
    issueServerCert(ca, ["localhost"], ["127.0.0.1"]),
    issueServerCert(ca, ["localhost"], ["127.0.0.1"]),
    ...servers.flatMap((s) => [issueServerCert(ca, names(s)), issueServerCert(rogueCa, names(s))]),
  ]);
  const certDir = path.join(dir, "certs");
  mkdirMode(certDir, 0o755);
  const caFile = path.join(dir, "ca.crt");
  const rogueCaFile = path.join(dir, "rogue-ca.crt");
  writeFileMode(caFile, ca.certPem, 0o644);
  writeFileMode(rogueCaFile, rogueCa.certPem, 0o644);
  const writeLeaf = (base: string, leaf: Leaf | undefined): CertFiles => {
    if (!leaf) throw new Error(`no certificate issued for ${base}`);
    const cert = path.join(certDir, `${base}.crt`);
    const key = path.join(certDir, `${base}.key`);
    writeFileMode(cert, leaf.certPem, 0o644);
    writeFileMode(key, leaf.keyPem, 0o600); // PostgreSQL refuses group/world-readable keys
    runner.chown(cert);
    runner.chown(key);
    return { cert, key };
  };
  const byName = new Map<string, ServerCerts>();
  servers.forEach((s, i) => {
    const base = i === 0 ? "primary" : i === 1 ? "replica" : s.name;
    byName.set(s.name, {
      genuine: writeLeaf(base, leaves[2 * i]),
      rogue: writeLeaf(`${base}-rogue`, leaves[2 * i + 1]),
    });
  });
  const issue = async (s: ServerInfo): Promise<ServerCerts> => {
    const [genuine, rogue] = await Promise.all([issueServerCert(ca, names(s)), issueServerCert(rogueCa, names(s))]);
    const files = { genuine: writeLeaf(s.name, genuine), rogue: writeLeaf(`${s.name}-rogue`, rogue) };
    byName.set(s.name, files);
    return files;
  };
  return {
    issue,
    caPem: ca.certPem,
    rogueCaPem: rogueCa.certPem,
    caFile,
    rogueCaFile,
    servers: byName,
    arm,
    identity,
    serverReadable: [
      caFile,
      ...[...byName.values()].flatMap((s) => [s.genuine, s.rogue]).flatMap((f) => [f.cert, f.key]),
    ],
  };
}
