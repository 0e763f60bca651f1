// A pair's stored membership (src/domain/membership.ts), one row per pair in the state table. Every write
// names the row it replaces (If-Match on the etag read, or create-only when none is stored), so two writers
// cannot interleave: the loser gets `false`, reads again and decides again.
import { RestError, type TableClient } from "@azure/data-tables";
import type { StoredMembership } from "../domain/membership";
import { ensureTable } from "./table-client";

export interface StoredRow {
  value: StoredMembership;
  etag: string;
}

export interface PairMemberStore {
  read(pair: string): Promise<StoredRow | undefined>;
  /** Writes `value` if the row is still `etag` (undefined: only if none is stored); false when someone wrote first. */
  write(value: StoredMembership, etag: string | undefined): Promise<boolean>;
  /** Removes the row if it is still `etag` (the pair goes back to its configured servers); false otherwise. */
  remove(pair: string, etag: string): Promise<boolean>;
}

const PARTITION = "members";
const lostRace = (err: unknown) => err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412);

export class TablePairMembers implements PairMemberStore {
  constructor(private readonly table: TableClient) {}

  async read(pair: string): Promise<StoredRow | undefined> {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<{ json: string }>(PARTITION, pair);
      return { value: JSON.parse(e.json) as StoredMembership, etag: e.etag };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async write(value: StoredMembership, etag: string | undefined): Promise<boolean> {
    await ensureTable(this.table);
    const entity = { partitionKey: PARTITION, rowKey: value.pair, json: JSON.stringify(value) };
    try {
      if (etag) await this.table.updateEntity(entity, "Replace", { etag });
      else await this.table.createEntity(entity);
      return true;
    } catch (err) {
      if (lostRace(err)) return false;
      throw err;
    }
  }

  async remove(pair: string, etag: string): Promise<boolean> {
    await ensureTable(this.table);
    try {
      await this.table.deleteEntity(PARTITION, pair, { etag });
      return true;
    } catch (err) {
      if (lostRace(err) || (err instanceof RestError && err.statusCode === 404)) return false;
      throw err;
    }
  }
}

/** Same contract in memory (unit tests, lab tests without Azurite). */
export class MemoryPairMembers implements PairMemberStore {
  private readonly rows = new Map<string, StoredRow>();
  private n = 0;
  async read(pair: string): Promise<StoredRow | undefined> {
    const r = this.rows.get(pair);
    return r && structuredClone(r);
  }
  async write(value: StoredMembership, etag: string | undefined): Promise<boolean> {
    if (this.rows.get(value.pair)?.etag !== etag) return false;
    this.rows.set(value.pair, { value: structuredClone(value), etag: `W/"${++this.n}"` });
    return true;
  }
  async remove(pair: string, etag: string): Promise<boolean> {
    if (this.rows.get(pair)?.etag !== etag) return false;
    this.rows.delete(pair);
    return true;
  }
}
