// Approvals and aborts exist only as the HTTP API stored them: the verified principal, the reason and the
// time, under a random nonce, for one run instance. The durable event "decision" carries only the nonce, and
// the run reads the stored decision back through an activity — so an event raised any other way (the Durable
// webhook with the system key, say) names no decision and is ignored.
import { randomBytes } from "node:crypto";
import { RestError, type TableClient } from "@azure/data-tables";
import type { Principal } from "../auth/principal";
import { ensureTable } from "./table-client";

export interface StoredDecision {
  decision: "approve" | "abort";
  /** Verified by the HTTP API (or the alert endpoint's own principal), never taken from an event. */
  principal: Principal;
  reason: string;
  at: string;
  /** The run instance it was given for: a nonce raised on another instance finds nothing. */
  instanceId: string;
}

export interface DecisionStore {
  /** Stores the decision and returns its nonce. */
  put(d: StoredDecision): Promise<string>;
  get(instanceId: string, nonce: string): Promise<StoredDecision | undefined>;
}

const PARTITION = "decision";
export const newNonce = (): string => randomBytes(24).toString("hex");

export class TableDecisionStore implements DecisionStore {
  constructor(private readonly table: TableClient) {}

  async put(d: StoredDecision): Promise<string> {
    await ensureTable(this.table);
    const nonce = newNonce();
    await this.table.createEntity({
      partitionKey: PARTITION,
      rowKey: `${d.instanceId}|${nonce}`,
      json: JSON.stringify(d),
    });
    return nonce;
  }

  async get(instanceId: string, nonce: string): Promise<StoredDecision | undefined> {
    await ensureTable(this.table);
    try {
      const e = await this.table.getEntity<{ json: string }>(PARTITION, `${instanceId}|${nonce}`);
      const d = JSON.parse(e.json) as StoredDecision;
      return d.instanceId === instanceId ? d : undefined;
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }
}

/** Same contract in memory (unit tests). */
export class MemoryDecisionStore implements DecisionStore {
  readonly stored = new Map<string, StoredDecision>();
  async put(d: StoredDecision): Promise<string> {
    const nonce = newNonce();
    this.stored.set(`${d.instanceId}|${nonce}`, structuredClone(d));
    return nonce;
  }
  async get(instanceId: string, nonce: string): Promise<StoredDecision | undefined> {
    const d = this.stored.get(`${instanceId}|${nonce}`);
    return d && structuredClone(d);
  }
}
