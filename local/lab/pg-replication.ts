// What the emulated control plane does to a pair's PostgreSQL processes: wait for catch-up, promote (noting the
// moment the server left recovery), tidy the old primary's slot, and break replication on purpose.
import { confString } from "./pg-quote";
import type { PgNode } from "./pg-node";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    await sleep(25);
  }
}

/**
 * Promote a standby; returns when it left recovery (it accepts writes from then on): the bench measures the app's
 * detection lag from this moment. pg_promote(wait => true) only looks every 100 ms, so the lab asks without waiting
 * and watches every 10 ms; the server's own log line "ready to accept connections" (ms, written by the postmaster
 * as recovery ends) is used when it is earlier — the watch runs on the lab's event loop, which a busy machine or a
 * busy emulator can delay.
 */
export async function promote(node: PgNode, timeoutMs = 60_000): Promise<Date> {
  const logFrom = node.logSize();
  const { ok } = await node.queryOne<{ ok: boolean }>("select pg_promote(false) ok");
  if (!ok) throw new Error(`pg_promote on ${node.cfg.label} was not accepted`);
  const deadline = Date.now() + timeoutMs;
  const watched = await node.session(async (q) => {
    for (;;) {
      const [row] = await q<{ r: boolean }>("select pg_is_in_recovery() r");
      if (row && !row.r) return new Date();
      if (Date.now() > deadline) throw new Error(`${node.cfg.label} did not leave recovery within ${timeoutMs} ms`);
      await sleep(10);
    }
  });
  const logged = readyForWrites(node.logSince(logFrom));
  return logged && logged.getTime() < watched.getTime() ? logged : watched;
}

/** The time of "database system is ready to accept connections" (not "read-only") in log text, if in UTC. */
export function readyForWrites(log: string): Date | undefined {
  const m =
    /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) (UTC|GMT) \[\d+\] LOG: {2}database system is ready to accept connections$/m.exec(
      log,
    );
  return m ? new Date(`${m[1]}T${m[2]}Z`) : undefined;
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
    await sleep(250);
  }
}

/** The replica stops streaming and stays a standby (no primary_conninfo); returns once its WAL receiver is gone. */
export async function stopStreaming(replica: PgNode, timeoutMs = 10_000): Promise<void> {
  await replica.query(`alter system set primary_conninfo = ${confString("")}`);
  await replica.query("select pg_reload_conf()");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await replica.query<{ n: number }>("select count(*)::int n from pg_stat_wal_receiver");
    if (row?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${replica.cfg.label} still streams after ${timeoutMs} ms`);
    await sleep(25);
  }
}
