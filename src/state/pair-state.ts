// Per-pair state that outlives a run, in the state table: recent lag samples, the fence still owed to an
// old primary after a forced failover (applied when it comes back), the run each alert instance started, and
// when alerts started runs (the pair's alert rate limit).
import { createHash } from "node:crypto";
import { RestError, type TableClient } from "@azure/data-tables";
import { keepRecent, type LagSample } from "../domain/lag";
import type { ServerRef } from "../domain/facts";
import { ensureTable } from "./table-client";

/** The old primary a forced failover could not fence (its region was down): fenced once it returns. */
export interface PendingFence {
  pair: string;
  runId: string;
  server: ServerRef;
  since: string;
  /** The watch gives up after this time (fence.watchHours). */
  until: string;
  action: "readOnly" | "stop";
  state: "pending" | "fenced" | "expired";
  attempts: number;
  lastAttemptAt?: string;
  lastError?: string;
  fencedAt?: string;
  note?: string;
}

/** The run an alert instance started: its re-deliveries point there while the run is active. */
export interface AlertClaim {
  pair: string;
  key: string;
  runId: string;
  instanceId: string;
  at: string;
}

export interface PairStateStore {
  samples(pair: string): Promise<LagSample[]>;
  addSample(pair: string, sample: LagSample): Promise<void>;
  fence(pair: string): Promise<PendingFence | undefined>;
  putFence(f: PendingFence): Promise<void>;
  alertClaim(pair: string, key: string): Promise<AlertClaim | undefined>;
  /** Records the run this alert started, replacing the claim of an earlier run (which has ended). */
  claimAlert(claim: AlertClaim): Promise<void>;
  /** When alerts started runs of this pair, within the last `windowMs` (ISO times, oldest first). */
  alertRuns(pair: string, nowMs: number, windowMs: number): Promise<string[]>;
  /** Records an alert-started run (and forgets those older than `windowMs`). */
  addAlertRun(pair: string, at: string, windowMs: number): Promise<void>;
}

const SAMPLES = "lag";
const FENCE = "fence";
const ALERTS = "alert";
const ALERT_RUNS = "alertRuns";

const within = (times: string[], nowMs: number, windowMs: number) =>
  times.filter((t) => nowMs - Date.parse(t) < windowMs);

/** Alert ids hold characters a row key may not ('/'): the row key is the pair and a hash of the id. */
function alertRow(pair: string, key: string): string {
  return `${pair}|${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
}

export class TablePairState implements PairStateStore {
  constructor(private readonly table: TableClient) {}

  async samples(pair: string): Promise<LagSample[]> {
    return (await this.read<LagSample[]>(SAMPLES, pair))?.value ?? [];
  }

  async addSample(pair: string, sample: LagSample): Promise<void> {
    // One writer (the timer) normally; an etag keeps a rare overlap from losing samples.
    for (let tries = 0; tries < 5; tries++) {
      const current = await this.read<LagSample[]>(SAMPLES, pair);
      const value = keepRecent(current?.value ?? [], sample);
      if (await this.write(SAMPLES, pair, value, current?.etag)) return;
    }
  }

  async fence(pair: string): Promise<PendingFence | undefined> {
    return (await this.read<PendingFence>(FENCE, pair))?.value;
  }

  async putFence(f: PendingFence): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ partitionKey: FENCE, rowKey: f.pair, json: JSON.stringify(f) }, "Replace");
  }

  async alertClaim(pair: string, key: string): Promise<AlertClaim | undefined> {
    return (await this.read<AlertClaim>(ALERTS, alertRow(pair, key)))?.value;
  }

  async claimAlert(claim: AlertClaim): Promise<void> {
    // Only the run that won the pair's lease gets here, so a plain upsert cannot undo a live claim.
    await ensureTable(this.table);
    await this.table.upsertEntity(
      { partitionKey: ALERTS, rowKey: alertRow(claim.pair, claim.key), json: JSON.stringify(claim) },
      "Replace",
    );
  }

  async alertRuns(pair: string, nowMs: number, windowMs: number): Promise<string[]> {
    return within((await this.read<string[]>(ALERT_RUNS, pair))?.value ?? [], nowMs, windowMs);
  }

  async addAlertRun(pair: string, at: string, windowMs: number): Promise<void> {
    // An etag keeps an overlapping writer from losing a start time.
    for (let tries = 0; tries < 5; tries++) {
      const current = await this.read<string[]>(ALERT_RUNS, pair);
      const value = [...within(current?.value ?? [], Date.parse(at), windowMs), at];
      if (await this.write(ALERT_RUNS, pair, value, current?.etag)) return;
    }
  }

  private async read<T>(partition: string, pair: string): Promise<{ value: T; etag: string } | undefined> {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<{ json: string }>(partition, pair);
      return { value: JSON.parse(e.json) as T, etag: e.etag };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Writes with If-Match (or create-only without an etag); false when someone else wrote first. */
  private async write(partition: string, pair: string, value: unknown, etag: string | undefined): Promise<boolean> {
    const entity = { partitionKey: partition, rowKey: pair, json: JSON.stringify(value) };
    try {
      if (etag) await this.table.updateEntity(entity, "Replace", { etag });
      else await this.table.createEntity(entity);
      return true;
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412)) return false;
      throw err;
    }
  }
}

/** Same contract in memory (unit tests). */
export class MemoryPairState implements PairStateStore {
  readonly lag = new Map<string, LagSample[]>();
  readonly fences = new Map<string, PendingFence>();
  async samples(pair: string) {
    return [...(this.lag.get(pair) ?? [])];
  }
  async addSample(pair: string, sample: LagSample) {
    this.lag.set(pair, keepRecent(this.lag.get(pair) ?? [], sample));
  }
  async fence(pair: string) {
    const f = this.fences.get(pair);
    return f && structuredClone(f);
  }
  async putFence(f: PendingFence) {
    this.fences.set(f.pair, structuredClone(f));
  }
  readonly alerts = new Map<string, AlertClaim>();
  async alertClaim(pair: string, key: string) {
    return this.alerts.get(alertRow(pair, key));
  }
  async claimAlert(claim: AlertClaim) {
    this.alerts.set(alertRow(claim.pair, claim.key), claim);
  }
  readonly alertRunTimes = new Map<string, string[]>();
  async alertRuns(pair: string, nowMs: number, windowMs: number) {
    return within(this.alertRunTimes.get(pair) ?? [], nowMs, windowMs);
  }
  async addAlertRun(pair: string, at: string, windowMs: number) {
    this.alertRunTimes.set(pair, [...within(this.alertRunTimes.get(pair) ?? [], Date.parse(at), windowMs), at]);
  }
}
