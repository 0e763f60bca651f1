// The PostgreSQL pair: initdb the primary, create roles, seed a streaming replica through a replication slot
// with a base backup done from Node (only initdb/pg_ctl/postgres are needed, so any binary set works).
import fs from "node:fs";
import path from "node:path";
import { baseBackup } from "./pg-base-backup";
import { writeFileMode } from "./files";
import type { PgRunner } from "./pg-bin";
import { confString, conninfoValue } from "./pg-quote";
import { labSchemaSql, type LabRoles } from "./pg-roles";
import { PgNode, type Credentials, type PgNodeConfig } from "./pg-node";

export interface PgPairOptions extends LabRoles {
  runner: PgRunner;
  dir: string;
  port: number;
  admin: Credentials;
  caFile: string;
  primary: Omit<PgNodeConfig, "port" | "dataDir" | "socketDir" | "logFile">;
  replica: Omit<PgNodeConfig, "port" | "dataDir" | "socketDir" | "logFile">;
  log: (line: string) => void;
}

export interface PgPair {
  primary: PgNode;
  replica: PgNode;
  slotName: string;
  serverVersion: string; // e.g. "17.10"
  port: number;
}

function mkdirFor(runner: PgRunner, p: string): void {
  fs.mkdirSync(p, { recursive: true, mode: 0o700 });
  runner.chown(p);
}

export async function createPgPair(o: PgPairOptions, started: (n: PgNode) => void = () => undefined): Promise<PgPair> {
  const { runner, dir } = o;
  const nodeCfg = (key: "primary" | "replica", base: PgPairOptions["primary"]): PgNodeConfig => ({
    ...base,
    port: o.port,
    dataDir: path.join(dir, `pg-${key}`),
    socketDir: path.join(dir, `sock-${key}`),
    logFile: path.join(dir, `pg-${key}.log`),
  });
  const primary = new PgNode(nodeCfg("primary", o.primary), runner, o.admin);
  const replica = new PgNode(nodeCfg("replica", o.replica), runner, o.admin);
  started(primary);
  started(replica);
  for (const n of [primary, replica]) mkdirFor(runner, n.cfg.socketDir);
  mkdirFor(runner, primary.cfg.dataDir);
  for (const n of [primary, replica]) {
    writeFileMode(n.cfg.logFile, "", 0o600); // a failed statement is logged with its text, passwords included
    runner.chown(n.cfg.logFile);
  }

  // initdb: the admin is the bootstrap superuser; password via a file so it never shows in ps.
  let t = Date.now();
  const pwFile = path.join(dir, ".initdb-pw");
  fs.writeFileSync(pwFile, o.admin.password + "\n", { mode: 0o600 });
  runner.chown(pwFile);
  await runner.run("initdb", [
    "-D",
    primary.cfg.dataDir,
    "-U",
    o.admin.user,
    "--pwfile",
    pwFile,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
  ]);
  fs.rmSync(pwFile);
  o.log(`postgres: initdb ${Date.now() - t} ms`);

  // The socket dir is private to the server user, so "local trust" only admits that user (and root).
  const hba = [
    "local all all trust",
    "hostssl replication " + o.replicator.user + " 127.0.0.0/8 scram-sha-256",
    "hostssl all all 127.0.0.0/8 scram-sha-256",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(primary.cfg.dataDir, "pg_hba.conf"), hba);
  fs.appendFileSync(path.join(primary.cfg.dataDir, "postgresql.conf"), "\ninclude_if_exists = 'lab.conf'\n");
  primary.writeLabConf();

  t = Date.now();
  await primary.start();
  o.log(`postgres: primary started ${Date.now() - t} ms`);

  const slotName = o.replica.label.replace(/[^a-z0-9]/gi, "_").toLowerCase();
  const { v, n } = await primary.queryOne<{ v: string; n: string }>(
    "select current_setting('server_version') v, current_setting('server_version_num') n",
  );
  const versionNum = Number(n);
  await primary.query(labSchemaSql(o));
  await primary.query("select pg_create_physical_replication_slot($1)", [slotName]);

  // Base backup from Node (pg_basebackup is not in every binary set).
  t = Date.now();
  const labelfile = await baseBackup(primary, replica.cfg.dataDir, versionNum);
  fs.writeFileSync(path.join(replica.cfg.dataDir, "backup_label"), labelfile);
  fs.writeFileSync(path.join(replica.cfg.dataDir, "standby.signal"), "");
  // verify-full against the primary's own A-record name while dialling its IP (hostaddr): the standby trusts the lab CA only.
  const conninfo = Object.entries({
    host: o.primary.tlsName,
    hostaddr: o.primary.address,
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
  runner.chown(replica.cfg.dataDir, true);
  o.log(`postgres: base backup ${Date.now() - t} ms`);

  t = Date.now();
  await replica.start();
  await waitStreaming(primary, slotName);
  o.log(`postgres: replica started and streaming ${Date.now() - t} ms`);
  return { primary, replica, slotName, serverVersion: v, port: o.port };
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

/** Wait until the replica has replayed everything the primary has written so far (planned promote). */
export async function waitCaughtUp(primary: PgNode, replica: PgNode, timeoutMs: number): Promise<void> {
  const { lsn } = await primary.queryOne<{ lsn: string }>("select pg_current_wal_lsn()::text lsn");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { ok } = await replica.queryOne<{ ok: boolean }>(
      "select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) ok",
      [lsn],
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`replica did not replay up to ${lsn} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Promote a standby; returns once it accepts writes. */
export async function promote(node: PgNode): Promise<void> {
  const { ok } = await node.queryOne<{ ok: boolean }>("select pg_promote(true, 60) ok");
  if (!ok) throw new Error(`pg_promote on ${node.cfg.label} did not complete`);
}

/** After a standalone promote the old primary no longer feeds the replica: drop its slot so it stops retaining WAL. */
export async function dropSlotWhenInactive(primary: PgNode, slot: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    try {
      const rows = await primary.query<{ active: boolean }>(
        "select active from pg_replication_slots where slot_name = $1",
        [slot],
      );
      const [row] = rows;
      if (!row) return;
      if (!row.active) {
        await primary.query("select pg_drop_replication_slot($1)", [slot]);
        return;
      }
    } catch {
      return; // primary down: nothing to tidy now
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
