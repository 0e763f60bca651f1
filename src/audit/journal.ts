// The audit journal: an append-only record of every step and attempt of every run. It lives in Table
// Storage (the Function App's own account) so it outlives purges of the durable task hub.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TableClient, odata, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { redact } from "./redact";
import { ensureTable } from "../state/table-client";

export type AuditEvent =
  "requested" | "started" | "succeeded" | "refused" | "failed" | "approved" | "aborted" | "ignored" | "completed";

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

/**
 * What attempts are counted per: one step of a run, for a polled step one poll of it, and for a run that takes
 * the same step for several pairs (an evacuation's claims) one pair of it.
 */
export interface AttemptKey {
  step: string;
  poll?: number;
  pair?: string;
}

export type NewAuditEntry = Omit<AuditEntry, "at"> & { at?: string };

export interface AuditJournal {
  append(entry: NewAuditEntry): Promise<void>;
  /**
   * Entries of ONE run written together, all or none (one Table transaction in the run's partition): a quick
   * step's "started" and outcome cost one round trip, and the timeline never shows one without the other.
   */
  appendBatch(entries: NewAuditEntry[]): Promise<void>;
  /** The run's timeline, oldest first (never the attempt counters). */
  list(runId: string): Promise<AuditEntry[]>;
  /** Numbers the next attempt of a step (1, 2, …); concurrent callers get distinct numbers. */
  nextAttempt(runId: string, key: AttemptKey): Promise<number>;
  /**
   * A step's first attempt, written with its counter, all or none (one Table transaction): the counter at 1 and
   * `entries` (numbered 1 by the caller). False, with nothing written, when the step's counter exists already: the
   * attempt is a retry, numbered by nextAttempt. Most steps run once: one round trip each instead of two.
   */
  appendFirstAttempt(runId: string, key: AttemptKey, entries: NewAuditEntry[]): Promise<boolean>;
  /**
   * A pair's most recent runs, newest first: each run's "requested" entry and, once it has ended, its
   * "completed" entry (at most `limit` runs).
   */
  recentRuns(pair: string, limit: number): Promise<RecentRun[]>;
}

/** One run of a pair as the journal knows it: requested, and completed once it has ended. */
export interface RecentRun {
  requested: AuditEntry;
  completed?: AuditEntry;
}

const MAX_DETAIL = 30_000; // Table properties hold up to 64 KiB; keep well clear.

// Attempt counters live in the run's own partition, one small entity per (step, poll), under row keys that
// start with "~attempt|". Timeline row keys start with an ISO timestamp; list() excludes the counters' key
// range server-side, so the timeline never sees them whatever a timestamp looks like.
const COUNTER_PREFIX = "~attempt|";
const COUNTER_END = "~attempt}"; // the first key after every "~attempt|…" ("}" follows "|")
const counterRowKey = ({ step, poll, pair }: AttemptKey) =>
  `${COUNTER_PREFIX}${encodeURIComponent(step)}|${poll === undefined ? "-" : poll}${pair === undefined ? "" : `|${encodeURIComponent(pair)}`}`;
/**
 * Each lost race (409 on insert, 412 on update) means another caller got its number, so n concurrent
 * callers all succeed within n tries; activity retries of one step never come close.
 */
const MAX_COUNTER_TRIES = 16;

interface CounterEntity {
  partitionKey: string;
  rowKey: string;
  attempts: number;
}

/** Oldest first; within one millisecond a step's "started" comes before its outcome. */
export function chronological(a: AuditEntry, b: AuditEntry): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return (a.event === "started" ? 0 : 1) - (b.event === "started" ? 0 : 1);
}

export class TableAuditJournal implements AuditJournal {
  constructor(private readonly table: TableClient) {}

  async append(entry: NewAuditEntry): Promise<void> {
    await ensureTable(this.table);
    await this.table.createEntity(toEntity(entry));
  }

  async appendBatch(entries: NewAuditEntry[]): Promise<void> {
    checkBatch(entries);
    if (entries.length === 0) return;
    await ensureTable(this.table);
    await this.table.submitTransaction(entries.map((e) => ["create", toEntity(e)]));
  }

  async appendFirstAttempt(runId: string, key: AttemptKey, entries: NewAuditEntry[]): Promise<boolean> {
    checkBatch(entries, runId);
    await ensureTable(this.table);
    const counter = { partitionKey: runId, rowKey: counterRowKey(key), attempts: 1 };
    try {
      await this.table.submitTransaction([
        ["create", counter],
        ...entries.map((e): TransactionAction => ["create", toEntity(e)]),
      ]);
      return true;
    } catch (e) {
      // The insert of the counter found one (409, EntityAlreadyExists) and the change set is atomic, so nothing
      // was written (Microsoft Learn, "Performing entity group transactions": all operations in a change set
      // succeed or fail; @azure/data-tables throws the failed operation's status).
      if (statusCode(e) === 409) return false;
      throw e;
    }
  }

  async list(runId: string): Promise<AuditEntry[]> {
    await ensureTable(this.table);
    const out: AuditEntry[] = [];
    const filter = odata`PartitionKey eq ${runId} and (RowKey lt ${COUNTER_PREFIX} or RowKey ge ${COUNTER_END})`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      out.push(fromEntity(e));
    return out.sort(chronological);
  }

  /**
   * One counter entity per (run, step, poll), advanced by optimistic concurrency: insert it at 1 if absent,
   * else read it and replace it If-Match its etag; a 409 or 412 means someone else advanced it first, so
   * read again. Costs one write for a first attempt and a read and a write for a retry, however long the
   * run's timeline is.
   */
  async nextAttempt(runId: string, key: AttemptKey): Promise<number> {
    await ensureTable(this.table);
    const rowKey = counterRowKey(key);
    for (let tries = 0; tries < MAX_COUNTER_TRIES; tries++) {
      const current = tries === 0 ? undefined : await this.readCounter(runId, rowKey);
      const attempts = (current?.attempts ?? 0) + 1;
      const entity: CounterEntity = { partitionKey: runId, rowKey, attempts };
      try {
        if (current) await this.table.updateEntity(entity, "Replace", { etag: current.etag });
        else await this.table.createEntity(entity);
        return attempts;
      } catch (e) {
        if (!lostRace(e)) throw e;
      }
      await sleep(5 + Math.random() * 20 * (tries + 1)); // spread the retries of racing callers
    }
    throw new Error(`could not number the next attempt of ${key.step} in run ${runId}: counter contended`);
  }

  /**
   * The requested entries of the pair come from one query across partitions (the journal is partitioned
   * by run): a table scan, acceptable for the few hundred runs a pair sees in its life. Each of the newest
   * `limit` runs' completed entry is then read in its own partition.
   */
  async recentRuns(pair: string, limit: number): Promise<RecentRun[]> {
    await ensureTable(this.table);
    const requested: AuditEntry[] = [];
    const filter = odata`pair eq ${pair} and event eq ${"requested"} and step eq ${"run"}`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
      requested.push(fromEntity(e));
    const newest = requested.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, Math.max(0, limit));
    return Promise.all(
      newest.map(async (r) => {
        const done: AuditEntry[] = [];
        const inRun = odata`PartitionKey eq ${r.runId} and event eq ${"completed"} and step eq ${"run"}`;
        for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: inRun } }))
          done.push(fromEntity(e));
        const completed = done.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).at(-1);
        return completed ? { requested: r, completed } : { requested: r };
      }),
    );
  }

  private async readCounter(runId: string, rowKey: string): Promise<(CounterEntity & { etag: string }) | undefined> {
    try {
      const e = await this.table.getEntity<{ attempts?: number }>(runId, rowKey);
      return { partitionKey: runId, rowKey, attempts: typeof e.attempts === "number" ? e.attempts : 0, etag: e.etag };
    } catch (e) {
      if (statusCode(e) === 404) return undefined; // not there (yet, or any more): insert it
      throw e;
    }
  }
}

/** A Table transaction holds one partition (the run) and at most 100 entities; both journals keep that contract. */
function checkBatch(entries: NewAuditEntry[], counterOf?: string): void {
  const runs = new Set(entries.map((e) => e.runId));
  if (counterOf !== undefined) runs.add(counterOf); // the counter takes one of the 100 places, in the run's partition
  if (runs.size > 1 || entries.length + (counterOf === undefined ? 0 : 1) > 100)
    throw new RangeError("a transaction takes at most 100 entities of one run");
}

function toEntity(entry: NewAuditEntry) {
  const at = entry.at ?? new Date().toISOString();
  const detail = entry.detail === undefined ? undefined : JSON.stringify(redact(entry.detail));
  return {
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
  };
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

const statusCode = (e: unknown) => (e as { statusCode?: number })?.statusCode;
/** 409: inserted by someone else first; 412: updated by someone else since we read it. */
const lostRace = (e: unknown) => statusCode(e) === 409 || statusCode(e) === 412;

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
  private readonly attempts = new Map<string, number>();
  async append(entry: NewAuditEntry): Promise<void> {
    this.add(entry);
  }
  async appendBatch(entries: NewAuditEntry[]): Promise<void> {
    checkBatch(entries);
    entries.forEach((e) => this.add(e));
  }
  private add(entry: NewAuditEntry): void {
    this.entries.push(redact({ ...entry, at: entry.at ?? new Date().toISOString() }));
  }
  async list(runId: string): Promise<AuditEntry[]> {
    return this.entries.filter((e) => e.runId === runId);
  }
  async recentRuns(pair: string, limit: number): Promise<RecentRun[]> {
    const runLevel = (event: AuditEvent) =>
      this.entries.filter((e) => e.pair === pair && e.step === "run" && e.event === event);
    const completed = runLevel("completed");
    return runLevel("requested")
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
      .slice(0, Math.max(0, limit))
      .map((r) => {
        const done = completed.filter((c) => c.runId === r.runId).at(-1);
        return done ? { requested: r, completed: done } : { requested: r };
      });
  }
  async appendFirstAttempt(runId: string, key: AttemptKey, entries: NewAuditEntry[]): Promise<boolean> {
    checkBatch(entries, runId);
    const k = `${runId}\n${counterRowKey(key)}`;
    if (this.attempts.has(k)) return false;
    this.attempts.set(k, 1);
    entries.forEach((e) => this.add(e));
    return true;
  }
  async nextAttempt(runId: string, key: AttemptKey): Promise<number> {
    const k = `${runId}\n${counterRowKey(key)}`;
    const n = (this.attempts.get(k) ?? 0) + 1;
    this.attempts.set(k, n);
    return n;
  }
}
