// Single flight per pair that holds in Azure: a lease entity per pair in Table Storage, taken and handed
// over with etags, so two concurrent requests can never both start a failover of the same pair
// (check-then-start on an instance id can race: both callers told "started", one input dropped).
import { RestError, TableClient } from "@azure/data-tables";
import { ensureTable } from "./table-client";

export interface Lease {
  pair: string;
  runId: string;
  instanceId: string;
  acquiredAt: string;
}

export interface LeaseStore {
  get(pair: string): Promise<{ lease: Lease; etag: string } | undefined>;
  /** Creates the lease; false when one exists already. */
  create(lease: Lease): Promise<boolean>;
  /** Replaces the lease read with `etag`; false when someone changed it meanwhile. */
  replace(lease: Lease, etag: string): Promise<boolean>;
  /** Removes the pair's lease if `runId` still holds it. */
  release(pair: string, runId: string): Promise<void>;
}

const PARTITION = "lease";

export class TableLeaseStore implements LeaseStore {
  constructor(private readonly table: TableClient) {}

  async get(pair: string) {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<Omit<Lease, "pair">>(PARTITION, pair);
      return { lease: { pair, runId: e.runId, instanceId: e.instanceId, acquiredAt: e.acquiredAt }, etag: e.etag };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async create(lease: Lease): Promise<boolean> {
    await ensureTable(this.table);
    try {
      await this.table.createEntity({ partitionKey: PARTITION, rowKey: lease.pair, ...fields(lease) });
      return true;
    } catch (err) {
      if (status(err) === 409) return false;
      throw err;
    }
  }

  async replace(lease: Lease, etag: string): Promise<boolean> {
    await ensureTable(this.table);
    try {
      await this.table.updateEntity({ partitionKey: PARTITION, rowKey: lease.pair, ...fields(lease) }, "Replace", {
        etag,
      });
      return true;
    } catch (err) {
      if (status(err) === 412 || status(err) === 404) return false;
      throw err;
    }
  }

  async release(pair: string, runId: string): Promise<void> {
    const current = await this.get(pair);
    if (!current || current.lease.runId !== runId) return;
    try {
      await this.table.deleteEntity(PARTITION, pair, { etag: current.etag });
    } catch (err) {
      if (status(err) !== 412 && status(err) !== 404) throw err;
    }
  }
}

function fields(l: Lease) {
  return { runId: l.runId, instanceId: l.instanceId, acquiredAt: l.acquiredAt };
}

function status(e: unknown): number | undefined {
  return e instanceof RestError ? e.statusCode : undefined;
}

/** Same contract in memory (unit tests). */
export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, { lease: Lease; etag: string }>();
  private n = 0;
  async get(pair: string) {
    const l = this.leases.get(pair);
    return l && { lease: { ...l.lease }, etag: l.etag };
  }
  async create(lease: Lease) {
    if (this.leases.has(lease.pair)) return false;
    this.leases.set(lease.pair, { lease, etag: String(++this.n) });
    return true;
  }
  async replace(lease: Lease, etag: string) {
    if (this.leases.get(lease.pair)?.etag !== etag) return false;
    this.leases.set(lease.pair, { lease, etag: String(++this.n) });
    return true;
  }
  async release(pair: string, runId: string) {
    if (this.leases.get(pair)?.lease.runId === runId) this.leases.delete(pair);
  }
}
