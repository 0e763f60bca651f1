// Per-pair state that outlives a run, in the state table: recent lag samples, and the fence still owed
// to an old primary after a forced failover (applied when it comes back).
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

/** The run an alert started (or found running): later deliveries of the same alert point there. */
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
  /** Records the claim unless one exists for this alert; returns the one that holds. */
  claimAlert(claim: AlertClaim): Promise<{ claimed: boolean; claim: AlertClaim }>;
}

const SAMPLES = "lag";
const FENCE = "fence";
const ALERTS = "alert";

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

  async claimAlert(claim: AlertClaim): Promise<{ claimed: boolean; claim: AlertClaim }> {
    const row = alertRow(claim.pair, claim.key);
    if (await this.write(ALERTS, row, claim, undefined)) return { claimed: true, claim };
    const held = await this.read<AlertClaim>(ALERTS, row);
    return { claimed: false, claim: held?.value ?? claim };
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
    const row = alertRow(claim.pair, claim.key);
    const held = this.alerts.get(row);
    if (held) return { claimed: false, claim: held };
    this.alerts.set(row, claim);
    return { claimed: true, claim };
  }
}
