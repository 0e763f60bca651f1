// The lab's PostgreSQL pairs: initdb once (a copy of the cluster cached per binary set), create roles and tables, and (more than one pair) copy that stopped,
// clean data directory for every other pair's primary before its first start; then each pair's streaming replica
// through a replication slot, seeded by a base backup done from Node (only initdb/pg_ctl/postgres are needed, so
// any binary set works).
import fs from "node:fs";
import path from "node:path";
import { baseBackup } from "./pg-base-backup";
import { writeFileMode } from "./files";
import { eachLimited } from "./limit";
import { copyTree } from "./copy-tree";
import { initdbCached, initdbOptions, setPassword } from "./pg-initdb-cache";
import type { PgRunner } from "./pg-bin";
import { confString, conninfoValue } from "./pg-quote";
import { labSchemaSql, type LabRoles } from "./pg-roles";
import { PgNode, type Credentials, type PgNodeConfig } from "./pg-node";

export type PgNodeOptions = Omit<PgNodeConfig, "port" | "dataDir" | "socketDir" | "logFile">;

export interface PgPairsOptions extends LabRoles {
  runner: PgRunner;
  dir: string;
  port: number;
  admin: Credentials;
  caFile: string;
  /** Pair 0 first. */
  pairs: { primary: PgNodeOptions; replica: PgNodeOptions }[];
  log: (line: string) => void;
}

export interface PgPair {
  primary: PgNode;
  replica: PgNode;
  /** The primary's replication slot the replica streams through. */
  slotName: string;
  serverVersion: string; // e.g. "17.10"
  port: number;
}

/** Servers started, backed up or copied at once: more only queue on a small machine's cores and disk. */
const PARALLEL = 4;

function mkdirFor(runner: PgRunner, p: string): void {
  fs.mkdirSync(p, { recursive: true, mode: 0o700 });
  runner.chown(p);
}

export async function createPgPairs(
  o: PgPairsOptions,
  started: (n: PgNode) => void = () => undefined,
): Promise<PgPair[]> {
  const { runner, dir } = o;
  // Pair 0 keeps the paths it always had (pg-primary, …); pair k's carry its number.
  const nodeCfg = (key: "primary" | "replica", k: number, base: PgNodeOptions): PgNodeConfig => {
    const suffix = k === 0 ? key : `${key}-${k}`;
    return {
      ...base,
      port: o.port,
      dataDir: path.join(dir, `pg-${suffix}`),
      socketDir: path.join(dir, `sock-${suffix}`),
      logFile: path.join(dir, `pg-${suffix}.log`),
    };
  };
  const nodes = o.pairs.map((p, k) => ({
    primary: new PgNode(nodeCfg("primary", k, p.primary), runner, o.admin),
    replica: new PgNode(nodeCfg("replica", k, p.replica), runner, o.admin),
  }));
  const all = nodes.flatMap((n) => [n.primary, n.replica]);
  for (const n of all) started(n);
  for (const n of all) {
    mkdirFor(runner, n.cfg.socketDir);
    writeFileMode(n.cfg.logFile, "", 0o600); // a failed statement is logged with its text, passwords included
    runner.chown(n.cfg.logFile);
  }
  const [first, ...others] = nodes;
  if (!first) throw new Error("a lab has at least one pair");
  const template = first.primary;
  mkdirFor(runner, template.cfg.dataDir);

  let t = Date.now();
  const cached = await initdbCached(runner, template.cfg.dataDir, initdbOptions(o.admin.user), dir);
  o.log(
    `postgres: initdb ${Date.now() - t} ms (${cached ? "a copy of the cached cluster" : "cached for the next lab"})`,
  );

  // The socket dir is private to the server user, so "local trust" only admits that user (and root).
  const hba = [
    "local all all trust",
    "hostssl replication " + o.replicator.user + " 127.0.0.0/8 scram-sha-256",
    "hostssl all all 127.0.0.0/8 scram-sha-256",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(template.cfg.dataDir, "pg_hba.conf"), hba);
  // Every login in each server's own log, stamped in UTC: the bench counts the app's connections from these lines
  // (local/bench/pg-connections.ts). Replicas and copied primaries inherit this file.
  fs.appendFileSync(
    path.join(template.cfg.dataDir, "postgresql.conf"),
    "\nlog_connections = on\nlog_timezone = 'UTC'\ninclude_if_exists = 'lab.conf'\n",
  );
  template.writeLabConf();

  t = Date.now();
  await template.start();
  // The cached cluster's superuser password was thrown away: set the lab's before anyone connects over TCP.
  await setPassword(template.cfg.socketDir, o.port, o.admin);
  o.log(`postgres: primary started ${Date.now() - t} ms`);
  const { v, n } = await template.queryOne<{ v: string; n: string }>(
    "select current_setting('server_version') v, current_setting('server_version_num') n",
  );
  const versionNum = Number(n);
  await template.query(labSchemaSql(o));

  if (others.length > 0) {
    // Roles and tables exist now: every other primary starts as a copy of this cluster, stopped cleanly first.
    t = Date.now();
    await template.stop("fast");
    await eachLimited(others, PARALLEL, async ({ primary }) => {
      await copyTree(template.cfg.dataDir, primary.cfg.dataDir);
      fs.rmSync(path.join(primary.cfg.dataDir, "postmaster.opts"), { force: true });
      primary.writeLabConf();
      runner.chown(primary.cfg.dataDir, true);
    });
    await eachLimited(nodes, PARALLEL, ({ primary }) => primary.start());
    o.log(`postgres: ${others.length} primaries copied and ${nodes.length} started ${Date.now() - t} ms`);
  }

  t = Date.now();
  const pairs = await eachLimited(nodes, PARALLEL, async ({ primary, replica }, k) => {
    const slotName = replica.cfg.label.replace(/[^a-z0-9]/gi, "_").toLowerCase();
    await primary.query("select pg_create_physical_replication_slot($1)", [slotName]);
    await seedReplica(o, primary, replica, slotName, versionNum, o.pairs[k]!.primary);
    await replica.start();
    await waitStreaming(primary, slotName);
    return { primary, replica, slotName, serverVersion: v, port: o.port };
  });
  o.log(`postgres: ${pairs.length} replica(s) seeded, started and streaming ${Date.now() - t} ms`);
  return pairs;
}

/** Base backup from Node (pg_basebackup is not in every binary set), then the standby's settings. */
async function seedReplica(
  o: Pick<PgPairsOptions, "port" | "replicator" | "caFile" | "runner">,
  primary: PgNode,
  replica: PgNode,
  slotName: string,
  versionNum: number,
  source: PgNodeOptions,
): Promise<void> {
  const labelfile = await baseBackup(primary, replica.cfg.dataDir, versionNum);
  fs.writeFileSync(path.join(replica.cfg.dataDir, "backup_label"), labelfile);
  fs.writeFileSync(path.join(replica.cfg.dataDir, "standby.signal"), "");
  // verify-full against the primary's own A-record name while dialling its IP (hostaddr): the standby trusts the lab CA only.
  const conninfo = Object.entries({
    host: source.tlsName,
    hostaddr: source.address,
    port: String(o.port),
    user: o.replicator.user,
    password: o.replicator.password,
    sslmode: "verify-full",
    sslrootcert: o.caFile,
    application_name: slotName,
  })
    .map(([k, v]) => `${k}=${conninfoValue(v)}`)
    .join(" ");
  fs.appendFileSync(
    path.join(replica.cfg.dataDir, "postgresql.auto.conf"),
    `primary_conninfo = ${confString(conninfo)}\nprimary_slot_name = ${confString(slotName)}\n`,
  );
  replica.writeLabConf();
  o.runner.chown(replica.cfg.dataDir, true);
}

async function waitStreaming(primary: PgNode, app: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ state: string }>(
      "select state from pg_stat_replication where application_name = $1",
      [app],
    );
    if (rows[0]?.state === "streaming") return;
    if (Date.now() > deadline) throw new Error(`replica did not start streaming within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a replica created after the start needs from the lab's PostgreSQL setup. */
export type ReplicaContext = Pick<
  PgPairsOptions,
  "runner" | "dir" | "port" | "admin" | "replicator" | "caFile" | "log"
>;

/** The node of a replica created after the start (a re-protection's), before anything of it exists on disk. */
export function replicaNode(o: ReplicaContext, options: PgNodeOptions): PgNode {
  const name = options.label;
  return new PgNode(
    {
      ...options,
      port: o.port,
      dataDir: path.join(o.dir, `pg-${name}`),
      socketDir: path.join(o.dir, `sock-${name}`),
      logFile: path.join(o.dir, `pg-${name}.log`),
    },
    o.runner,
    o.admin,
  );
}

/**
 * Makes `node` a streaming replica of `source`: a replication slot on the source, a base backup into its own data
 * dir, started, streaming. Returns the slot's name.
 */
export async function seedAndStartReplica(o: ReplicaContext, source: PgNode, node: PgNode): Promise<string> {
  mkdirFor(o.runner, node.cfg.socketDir);
  writeFileMode(node.cfg.logFile, "", 0o600);
  o.runner.chown(node.cfg.logFile);
  const { n } = await source.queryOne<{ n: string }>("select current_setting('server_version_num') n");
  const slotName = node.cfg.label.replace(/[^a-z0-9]/gi, "_").toLowerCase();
  await source.query("select pg_create_physical_replication_slot($1)", [slotName]);
  await seedReplica(o, source, node, slotName, Number(n), source.cfg);
  await node.start();
  await waitStreaming(source, slotName);
  return slotName;
}
