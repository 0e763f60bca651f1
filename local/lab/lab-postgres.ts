// The lab's PostgreSQL pairs on a free port shared by every loopback "region" address, retried when the port is
// taken between the probe and the bind. Data dirs are reported to the reaper as soon as they exist.
import fs from "node:fs";
import type { LabCerts } from "./lab-certs";
import type { LabPairNames } from "./names";
import { createPgPairs, type PgNodeOptions, type PgPair, type PgPairsOptions } from "./pg-pair";
import type { PgNode } from "./pg-node";
import { findFreePort, isAddrInUse } from "./ports";
import type { ReaperHandle } from "./reaper-handle";
import type { ServerInfo } from "./types";

export type PostgresOptions = Omit<PgPairsOptions, "port" | "pairs" | "caFile"> & {
  certs: LabCerts;
  pairs: LabPairNames[];
  reaper: ReaperHandle;
};

const node = (info: ServerInfo, certs: LabCerts): PgNodeOptions => {
  const files = certs.servers.get(info.name);
  if (!files) throw new Error(`no certificates for ${info.name}`);
  return {
    label: info.name,
    address: info.address,
    certFile: files.genuine.cert,
    keyFile: files.genuine.key,
    rogueCertFile: files.rogue.cert,
    rogueKeyFile: files.rogue.key,
    tlsName: info.aRecordFqdn,
    caPem: certs.caPem,
    rogueCaPem: certs.rogueCaPem,
  };
};

export async function startPostgres(o: PostgresOptions): Promise<PgPair[]> {
  const { certs, pairs, reaper, ...rest } = o;
  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort(pairs.flatMap((p) => [p.primary.address, p.replica.address]));
    const nodes: PgNode[] = [];
    try {
      return await createPgPairs(
        {
          ...rest,
          port,
          caFile: certs.caFile,
          pairs: pairs.map((p) => ({ primary: node(p.primary, certs), replica: node(p.replica, certs) })),
        },
        (n) => {
          nodes.push(n);
          reaper.watchDataDir(n.cfg.dataDir);
        },
      );
    } catch (e) {
      await Promise.allSettled(nodes.map((n) => n.stop("immediate")));
      for (const n of nodes) {
        fs.rmSync(n.cfg.dataDir, { recursive: true, force: true });
        reaper.forgetDataDir(n.cfg.dataDir);
      }
      if (attempt >= 3 || !isAddrInUse(e)) throw e;
      o.log(`postgres: port ${port} taken meanwhile, retrying`);
    }
  }
}
