// After a run: which acknowledged writes the new primary has, which the old primary took after the promote,
// how long writes were unavailable, and whether the old primary still takes writes.
import pg from "pg";
import type { LabInfo, ServerInfo } from "../types";
import { toServer } from "./connect";
import type { AckedWrite, FailedWrite, TrafficReport } from "./types";

export interface ReportOptions {
  /** The server that is primary now ("primary"/"replica" as at lab start, or any lab server, e.g. one created since). */
  newPrimary: "primary" | "replica" | ServerInfo;
  /** The server that was primary before (default: the other one of the pair at start). */
  oldPrimary?: ServerInfo;
  /** When the promote completed (e.g. the promote operation's endTime); diverged needs it. */
  promotedAt?: Date | string | number;
}

async function withClient<T>(config: pg.ClientConfig, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function clientIdsOn(info: LabInfo, server: ServerInfo): Promise<Set<string>> {
  return withClient(toServer(info, server), async (c) => {
    const { rows } = await c.query<{ id: string }>("select client_id::text id from traffic_writes");
    return new Set(rows.map((r) => r.id));
  });
}

/** A write in a transaction that is rolled back: refused by a read-only, recovering or unreachable server. */
async function acceptsWrites(info: LabInfo, server: ServerInfo): Promise<{ acceptsWrites: boolean; detail: string }> {
  try {
    return await withClient(toServer(info, server), async (c) => {
      await c.query("begin");
      try {
        await c.query("insert into traffic_writes(client_id) values (gen_random_uuid())");
      } finally {
        await c.query("rollback");
      }
      return { acceptsWrites: true, detail: "an INSERT succeeded (rolled back)" };
    });
  } catch (e) {
    return { acceptsWrites: false, detail: (e as Error).message };
  }
}

export function unavailability(acked: AckedWrite[], failed: FailedWrite[]): TrafficReport["unavailability"] {
  const times = acked.map((w) => w.ackedAt).sort((a, b) => a - b);
  let longestGapMs = 0;
  times.forEach((t, i) => {
    const prev = times[i - 1];
    if (prev !== undefined) longestGapMs = Math.max(longestGapMs, t - prev);
  });
  const firstFailure = failed.reduce<number | undefined>(
    (m, f) => (m === undefined || f.failedAt < m ? f.failedAt : m),
    undefined,
  );
  const nextSuccess = firstFailure === undefined ? undefined : times.find((t) => t > firstFailure);
  return {
    longestGapMs,
    firstFailureAt: firstFailure === undefined ? null : new Date(firstFailure).toISOString(),
    firstFailureToNextSuccessMs:
      firstFailure === undefined || nextSuccess === undefined ? null : nextSuccess - firstFailure,
  };
}

export async function buildReport(
  info: LabInfo,
  run: { attempted: number; acked: AckedWrite[]; failed: FailedWrite[] },
  o: ReportOptions,
): Promise<TrafficReport> {
  const neu = typeof o.newPrimary === "string" ? info.servers[o.newPrimary] : o.newPrimary;
  const old = o.oldPrimary ?? info.servers[o.newPrimary === "primary" ? "replica" : "primary"];
  const present = await clientIdsOn(info, neu);
  const lost = run.acked.filter((w) => !present.has(w.id));
  const promotedAt = o.promotedAt === undefined ? undefined : new Date(o.promotedAt).getTime();
  const diverged =
    promotedAt === undefined
      ? null
      : run.acked.filter((w) => w.server === old.address && w.ackedAt > promotedAt).length;
  const byServer: Record<string, number> = {};
  for (const w of run.acked) byServer[w.server] = (byServer[w.server] ?? 0) + 1;
  return {
    newPrimary: { name: neu.name, address: neu.address },
    oldPrimary: { name: old.name, address: old.address, ...(await acceptsWrites(info, old)) },
    promotedAt: promotedAt === undefined ? null : new Date(promotedAt).toISOString(),
    attempted: run.attempted,
    acknowledged: run.acked.length,
    failed: run.failed.length,
    lost: lost.length,
    diverged,
    lostSample: lost.slice(0, 5),
    byServer,
    unavailability: unavailability(run.acked, run.failed),
  };
}
