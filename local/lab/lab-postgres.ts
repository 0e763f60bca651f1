// The lab's PostgreSQL pair on a free port shared by both loopback "regions", retried when the port is taken
// between the probe and the bind. Data dirs are reported to the reaper as soon as they exist.
import fs from "node:fs";
import type { LabCerts, ServerCerts } from "./lab-certs";
import { createPgPair, type PgPair, type PgPairOptions } from "./pg-pair";
import type { PgNode } from "./pg-node";
import { findFreePort, isAddrInUse } from "./ports";
import type { ReaperHandle } from "./reaper-handle";
import type { ServerInfo } from "./types";

export type PostgresOptions = Omit<PgPairOptions, "port" | "primary" | "replica" | "caFile"> & {
  certs: LabCerts;
  servers: { primary: ServerInfo; replica: ServerInfo };
  reaper: ReaperHandle;
};

const node = (info: ServerInfo, files: ServerCerts, certs: LabCerts): PgPairOptions["primary"] => ({
  label: info.name,
  address: info.address,
  certFile: files.genuine.cert,
  keyFile: files.genuine.key,
  rogueCertFile: files.rogue.cert,
  rogueKeyFile: files.rogue.key,
  tlsName: info.aRecordFqdn,
  caPem: certs.caPem,
  rogueCaPem: certs.rogueCaPem,
});

export async function startPostgres(o: PostgresOptions): Promise<PgPair> {
  const { certs, servers, reaper, ...rest } = o;
  for (let attempt = 0; ; attempt++) {
    const port = await findFreePort([servers.primary.address, servers.replica.address]);
    const nodes: PgNode[] = [];
    try {
      return await createPgPair(
        {
          ...rest,
          port,
          caFile: certs.caFile,
          primary: node(servers.primary, certs.servers.primary, certs),
          replica: node(servers.replica, certs.servers.replica, certs),
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
