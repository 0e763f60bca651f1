// A base backup done from Node, so only initdb/pg_ctl/postgres are needed (pg_basebackup is not in every binary
// set): copy the data dir between pg_backup_start and pg_backup_stop, recreating the runtime dirs empty.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { copyInto } from "./copy-tree";
import type { PgNode } from "./pg-node";

const SKIP_FILES = new Set(["postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map", "backup_label.old"]);
const EMPTY_DIRS = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
]);

/** Copies the primary's data dir into targetDir; returns the backup label to write there as backup_label. */
export async function baseBackup(primary: PgNode, targetDir: string, versionNum: number): Promise<string> {
  const modern = versionNum >= 150000;
  // pg_backup_start/stop are bound to one session (non-exclusive mode): one client for start, copy, stop.
  const client = new pg.Client(primary.clientConfig());
  await client.connect();
  try {
    await client.query(
      modern ? "select pg_backup_start('lab-seed', true)" : "select pg_start_backup('lab-seed', true, false)",
    );
    fs.mkdirSync(targetDir, { mode: 0o700 });
    const copied: string[] = [];
    for (const e of fs.readdirSync(primary.cfg.dataDir)) {
      if (SKIP_FILES.has(e)) continue;
      if (EMPTY_DIRS.has(e)) fs.mkdirSync(path.join(targetDir, e), { mode: 0o700 });
      else copied.push(path.join(primary.cfg.dataDir, e));
    }
    // Asynchronous (several pairs are seeded at once, a synchronous copy would hold them all up), one `cp`.
    await copyInto(copied, targetDir);
    fs.mkdirSync(path.join(targetDir, "pg_wal", "archive_status"));
    const {
      rows: [row],
    } = await client.query<{ labelfile: string }>(
      modern ? "select labelfile from pg_backup_stop(true)" : "select labelfile from pg_stop_backup(false, true)",
    );
    if (!row) throw new Error("pg_backup_stop returned no backup label");
    return row.labelfile;
  } finally {
    await client.end().catch(() => undefined);
  }
}
