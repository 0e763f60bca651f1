// A traffic generator: an application writing continuously through the CNAME prod.<zone> as the least-privilege
// role app_writer (TLS verify-ca with the lab CA, names resolved by the lab's DNS server), recording every
// acknowledged write (its client-generated id, when, which server took it) and every error; report() then
// compares them with what the new primary holds. It needs only the LabInfo, so it can run in any process.
import { randomUUID } from "node:crypto";
import { buildReport, type ReportOptions } from "./traffic/report";
import type { AckedWrite, FailedWrite, TrafficReport, TrafficStats } from "./traffic/types";
import { perTransactionWriter, poolWriter, type Writer } from "./traffic/writers";
import type { LabInfo } from "./types";

export type { AckedWrite, FailedWrite, TrafficReport, TrafficStats } from "./traffic/types";
export type { ReportOptions } from "./traffic/report";

export interface TrafficOptions {
  /** Writes per second (default 200). */
  rate?: number;
  /** Pool size, or concurrent connections per transaction (default 5). */
  connections?: number;
  /**
   * "pool" (default): a pg.Pool of long-lived connections; a new connection resolves the CNAME afresh; one that
   * fails or meets a read-only server is dropped. "per-transaction": a connection per write, names cached for
   * their DNS TTL.
   */
  mode?: "pool" | "per-transaction";
}

export interface Traffic {
  stats(): TrafficStats;
  acknowledged(): AckedWrite[];
  failures(): FailedWrite[];
  /** Stops sending and waits for the writes in flight. Idempotent. */
  stop(): Promise<void>;
  /** Compares the acknowledged writes with the rows on the new primary (after stop()). */
  report(o: ReportOptions): Promise<TrafficReport>;
}

const TICK_MS = 10;

export function startTraffic(info: LabInfo, o: TrafficOptions = {}): Traffic {
  const rate = o.rate ?? 200;
  const connections = o.connections ?? 5;
  if (!(rate > 0) || !(connections > 0)) throw new Error("traffic: rate and connections must be > 0");
  const writer: Writer = o.mode === "per-transaction" ? perTransactionWriter(info) : poolWriter(info, connections);
  // A pool queues behind busy connections: keep it busy, but bounded when a server stalls.
  const maxInFlight = o.mode === "per-transaction" ? connections : connections * 2;
  const acked: AckedWrite[] = [];
  const failed: FailedWrite[] = [];
  const inFlight = new Set<Promise<void>>();
  let attempted = 0;
  let shed = 0;

  const send = (): void => {
    const id = randomUUID();
    const sentAt = Date.now();
    attempted++;
    const p = writer.write(id).then(
      (server) => void acked.push({ id, sentAt, ackedAt: Date.now(), server }),
      (e: Error & { code?: string }) =>
        void failed.push({ id, sentAt, failedAt: Date.now(), error: e.message, code: e.code }),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  // Paced by the clock, not by completions: what falls due while too many are in flight is shed, not queued.
  const t0 = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    const target = Math.floor(((Date.now() - t0) * rate) / 1000);
    for (; due < target; due++) {
      if (inFlight.size >= maxInFlight) shed++;
      else send();
    }
  }, TICK_MS);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      await writer.end();
    })());

  return {
    stats: () => {
      const byServer: Record<string, number> = {};
      for (const w of acked) byServer[w.server] = (byServer[w.server] ?? 0) + 1;
      return {
        attempted,
        acknowledged: acked.length,
        failed: failed.length,
        shed,
        inFlight: inFlight.size,
        dnsQueries: writer.resolver.queries,
        byServer,
      };
    },
    acknowledged: () => [...acked],
    failures: () => [...failed],
    stop,
    report: async (ro) => {
      await stop();
      return buildReport(info, { attempted, acked, failed }, ro);
    },
  };
}

/** When the lab's last successful promote completed, from its ARM operation (for ReportOptions.promotedAt). */
export function promotedAt(operations: { kind: string; status: string; endTime?: string }[]): string | undefined {
  return operations.filter((op) => op.kind === "promote" && op.status === "Succeeded").at(-1)?.endTime;
}
