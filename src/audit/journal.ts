// The audit journal: an append-only record of every step and attempt of every run. It lives in Table
// Storage (the Function App's own account) so it outlives purges of the durable task hub.
import { randomUUID } from "node:crypto";
import { TableClient, type TableEntityResult } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { redact } from "./redact";

export type AuditEvent = "requested" | "started" | "succeeded" | "refused" | "failed" | "info" | "completed";

export interface AuditEntry {
  runId: string;
  pair: string;
  at: string;
  step: string;
  event: AuditEvent;
  attempt?: number;
  durationMs?: number;
  summary: string;
  detail?: unknown;
}

export interface AuditJournal {
  append(entry: Omit<AuditEntry, "at"> & { at?: string }): Promise<void>;
  list(runId: string): Promise<AuditEntry[]>;
}

const MAX_DETAIL = 30_000; // Table properties hold up to 64 KiB; keep well clear.

export class TableAuditJournal implements AuditJournal {
  private ready: Promise<void> | undefined;

  constructor(private readonly table: TableClient) {}

  static fromConnectionString(connectionString: string, tableName: string): TableAuditJournal {
    const local = /UseDevelopmentStorage=true|http:\/\/127\.|http:\/\/localhost/i.test(connectionString);
    return new TableAuditJournal(
      TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: local }),
    );
  }

  static fromServiceUri(uri: string, tableName: string, credential: TokenCredential): TableAuditJournal {
    return new TableAuditJournal(new TableClient(uri, tableName, credential));
  }

  async append(entry: Omit<AuditEntry, "at"> & { at?: string }): Promise<void> {
    await this.ensureTable();
    const at = entry.at ?? new Date().toISOString();
    const detail = entry.detail === undefined ? undefined : JSON.stringify(redact(entry.detail));
    await this.table.createEntity({
      partitionKey: entry.runId,
      rowKey: `${at}|${randomUUID().slice(0, 8)}`,
      pair: entry.pair,
      at,
      step: entry.step,
      event: entry.event,
      attempt: entry.attempt,
      durationMs: entry.durationMs,
      summary: redact(entry.summary).slice(0, 2000),
      detail: detail && detail.length > MAX_DETAIL ? detail.slice(0, MAX_DETAIL) + "…(truncated)" : detail,
    });
  }

  async list(runId: string): Promise<AuditEntry[]> {
    await this.ensureTable();
    const out: AuditEntry[] = [];
    const filter = `PartitionKey eq '${runId.replace(/'/g, "''")}'`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      out.push(fromEntity(e));
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.table.createTable().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }
}

function fromEntity(e: TableEntityResult<Record<string, unknown>>): AuditEntry {
  return {
    runId: e.partitionKey!,
    pair: String(e.pair ?? ""),
    at: String(e.at),
    step: String(e.step),
    event: e.event as AuditEvent,
    attempt: typeof e.attempt === "number" ? e.attempt : undefined,
    durationMs: typeof e.durationMs === "number" ? e.durationMs : undefined,
    summary: String(e.summary ?? ""),
    detail: typeof e.detail === "string" ? safeParse(e.detail) : undefined,
  };
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** For unit tests and dry local use: same contract, in memory. */
export class MemoryAuditJournal implements AuditJournal {
  readonly entries: AuditEntry[] = [];
  async append(entry: Omit<AuditEntry, "at"> & { at?: string }): Promise<void> {
    this.entries.push(redact({ ...entry, at: entry.at ?? new Date().toISOString() }));
  }
  async list(runId: string): Promise<AuditEntry[]> {
    return this.entries.filter((e) => e.runId === runId);
  }
}
