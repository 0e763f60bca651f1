// The real parts of a server created after the lab started (a re-protection's read replica): its names and
// loopback address, its certificates from the lab CA, a PostgreSQL streaming replica of its source seeded by a
// base backup, and its A record in the private zone. Removing one undoes all of it.
import fs from "node:fs";
import type { LabCerts } from "../lab-certs";
import { aRecordName } from "../ids";
import { dropSlotWhenInactive } from "../pg-replication";
import { replicaNode, seedAndStartReplica, type ReplicaContext } from "../pg-pair";
import type { ReaperHandle } from "../reaper-handle";
import type { ServerInfo } from "../types";
import type { ZoneStore } from "../zone-store";
import type { FlexServer } from "./types";

export interface ReplicaFactoryDeps {
  pg: ReplicaContext;
  certs: LabCerts;
  reaper: Pick<ReaperHandle, "watchDataDir" | "forgetDataDir">;
  store: ZoneStore;
  /** `<server>.postgres.database.azure.com` → its A record's FQDN: what the lab DNS answers with a CNAME. */
  publicNames: Map<string, string>;
  subscriptionId: string;
  resourceGroup: string;
  zone: string;
  /** Every server the lab knows now (addresses in use). */
  servers: () => FlexServer[];
  log: (line: string) => void;
}

/** The A record's TTL, as the servers' at start. */
const A_TTL = 30;

export class ReplicaFactory {
  constructor(private readonly d: ReplicaFactoryDeps) {}

  /** The new server's names and a free address in its pair's loopback block (127.0.k.3 and up). */
  info(name: string, region: string, location: string, source: FlexServer): ServerInfo {
    const block = source.info.address.split(".").slice(0, 3).join(".");
    const used = new Set(this.d.servers().map((s) => s.info.address));
    let host = 3;
    while (used.has(`${block}.${host}`)) host++;
    if (host > 254) throw new Error(`no free address left in ${block}.0/24`);
    const aRecord = aRecordName();
    return {
      name,
      resourceId: `/subscriptions/${this.d.subscriptionId}/resourceGroups/${this.d.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
      region,
      location,
      fqdn: `${name}.postgres.database.azure.com`,
      aRecord,
      aRecordFqdn: `${aRecord}.${this.d.zone}`,
      address: `${block}.${host}`,
    };
  }

  /** The server as ARM shows it from the first moment (Provisioning): its node exists, nothing runs yet. */
  server(info: ServerInfo, source: FlexServer, role: FlexServer["role"]): FlexServer {
    const node = replicaNode(this.d.pg, {
      ...source.node.cfg,
      label: info.name,
      address: info.address,
      tlsName: info.aRecordFqdn,
      // Replaced by its own certificates in provision(), before it first starts.
      certFile: "",
      keyFile: "",
      rogueCertFile: "",
      rogueKeyFile: "",
    });
    return {
      key: "created",
      pair: source.pair,
      info,
      node,
      role,
      source,
      userStopped: false,
      regionDown: false,
      replicationState: "Provisioning",
      tags: { ...source.tags },
    };
  }

  /** Certificates, base backup, start, streaming; then its A record, so its name resolves once it answers. */
  async provision(s: FlexServer): Promise<void> {
    const source = s.source;
    if (!source) throw new Error(`${s.info.name} has no source`);
    const files = await this.d.certs.issue(s.info);
    Object.assign(s.node.cfg, {
      certFile: files.genuine.cert,
      keyFile: files.genuine.key,
      rogueCertFile: files.rogue.cert,
      rogueKeyFile: files.rogue.key,
    });
    this.d.reaper.watchDataDir(s.node.cfg.dataDir);
    s.slotName = await seedAndStartReplica(this.d.pg, source.node, s.node);
    this.register(s);
    this.d.log(`lab: ${s.info.name} streams from ${source.info.name} at ${s.info.address}`);
  }

  /** Its A record in the zone and its public name's CNAME into it, as Azure registers a VNet-integrated server's. */
  register(s: FlexServer): void {
    this.d.store.put("A", s.info.aRecord, { ttl: A_TTL, aRecords: [{ ipv4Address: s.info.address }] });
    this.d.publicNames.set(s.info.fqdn.toLowerCase(), s.info.aRecordFqdn);
  }

  /** Stops it and removes everything it had: process, data, certificates' use, A record, slot on its source. */
  async remove(s: FlexServer): Promise<void> {
    await s.node.stop("immediate").catch(() => undefined);
    this.d.store.delete("A", s.info.aRecord);
    this.d.publicNames.delete(s.info.fqdn.toLowerCase());
    if (s.source && s.slotName) await dropSlotWhenInactive(s.source.node, s.slotName).catch(() => undefined);
    for (const dir of [s.node.cfg.dataDir, s.node.cfg.socketDir]) fs.rmSync(dir, { recursive: true, force: true });
    this.d.reaper.forgetDataDir(s.node.cfg.dataDir);
  }
}
