// A small per-worker cache of PostgreSQL sessions, so the steps of one failover that talk to the same server
// (preflight, fence, catch-up, the writable watch) share one login instead of paying TLS + SCRAM (or an Entra
// token) each time. Safety first:
// - the key holds the address the name resolved to just now: a name that moved never reuses a session to the
//   old address (each call resolves again, as before);
// - a session is used by one call at a time and goes back only after that call succeeded: any error discards it;
// - a reused session that turns out broken (ended by the fence's pg_terminate_backend, a server restart — in
//   Azure the promoted server may restart) is replaced by a fresh one and the call runs once more: every probe
//   call is a read or a rolled-back write, so running it again changes nothing;
// - an idle session closes after IDLE_MS and never holds the process open.
// The cache holds clients only: no password or token is kept here or logged.
import { createHash } from "node:crypto";
import type { Client } from "pg";
import type { SslMode } from "./pg-connect";

/** Long enough to span preflight → fence → catch-up → promote of a planned run; short enough not to linger. */
export const IDLE_MS = 30_000;
/** Idle sessions kept per key: one call at a time is the rule, two covers a timer sweep running alongside. */
export const MAX_IDLE_PER_KEY = 2;

export interface SessionKey {
  /** The name dialled (sent as SNI, checked by verify-full). */
  name: string;
  /** The address it resolved to for this call. */
  address: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode;
  /** verify-ca: the name the certificate had to carry. */
  expectName?: string;
  /** The CA bundle the session's certificate was checked against. */
  ca: readonly string[];
}

export function sessionKey(k: SessionKey): string {
  const ca = createHash("sha256").update(k.ca.join("\n")).digest("hex").slice(0, 16);
  return JSON.stringify([
    k.name.toLowerCase(),
    k.address,
    k.port,
    k.database,
    k.user,
    k.sslmode,
    k.expectName ?? "",
    ca,
  ]);
}

/**
 * The session broke (rather than the query failing on a working session): the server ended it (57P01 by
 * pg_terminate_backend, 57P02/57P03 shutting down or starting), a connection-class error (08xxx), or the
 * socket went away.
 */
export function isBrokenSession(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  if (code && /^(57P0[123]|08...|ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT)$/.test(code)) return true;
  return /Connection terminated|not queryable|socket hang up/i.test(message ?? "");
}

/** What the cache needs of a session: pg's Client, or a small fake in unit tests. */
export interface Session {
  end(): Promise<void>;
  on(event: "end", listener: () => void): unknown;
  on(event: "error", listener: (e: Error) => void): unknown;
}

interface Idle<S> {
  session: S;
  timer: NodeJS.Timeout;
}

export class SessionCache<S extends Session = Client> {
  private readonly idle = new Map<string, Idle<S>[]>();
  /** Ended by the server (or closed here when idle): never handed out again. */
  private readonly ended = new WeakSet<S>();
  /** Failed because the session broke, not because the query failed: worth one more try on a new session. */
  private readonly broke = new WeakSet<S>();
  private readonly watched = new WeakSet<S>();
  /** Sessions opened and reused so far (for tests and the bench). */
  readonly counts = { opened: 0, reused: 0 };

  constructor(
    private readonly o: {
      idleMs?: number;
      maxIdlePerKey?: number;
      /** Called when a session goes idle (false) or is taken (true): pg-connect's holdsProcess. */
      hold?: (s: S, on: boolean) => void;
    } = {},
  ) {}

  /** Runs `fn` on an idle session of `key`, or on one `open` makes; keeps it afterwards only if `fn` succeeded. */
  async use<T>(key: string, open: () => Promise<S>, fn: (session: S) => Promise<T>): Promise<T> {
    const reused = this.take(key);
    if (reused) {
      this.counts.reused++;
      try {
        return await this.run(key, reused, fn);
      } catch (e) {
        if (!this.broke.has(reused)) throw e;
        // It was ended while idle (or as it was used): a fresh session, once.
      }
    }
    const session = await open();
    this.counts.opened++;
    this.watch(session);
    return this.run(key, session, fn);
  }

  /** Idle sessions now, over every key. */
  get size(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  /** Closes every idle session (a worker shutting down, a test's end). */
  async closeIdle(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((i) => this.close(i)));
  }

  private async run<T>(key: string, session: S, fn: (session: S) => Promise<T>): Promise<T> {
    this.o.hold?.(session, true);
    let result: T;
    try {
      result = await fn(session);
    } catch (e) {
      if (this.ended.has(session) || isBrokenSession(e)) this.broke.add(session);
      this.ended.add(session);
      await session.end().catch(() => undefined);
      throw e;
    }
    this.give(key, session);
    return result;
  }

  private take(key: string): S | undefined {
    const list = this.idle.get(key);
    for (let i = list?.pop(); i; i = list?.pop()) {
      clearTimeout(i.timer);
      if (!this.ended.has(i.session)) return i.session;
    }
    return undefined;
  }

  private give(key: string, session: S): void {
    const list = this.idle.get(key) ?? [];
    if (this.ended.has(session) || list.length >= (this.o.maxIdlePerKey ?? MAX_IDLE_PER_KEY)) {
      void session.end().catch(() => undefined);
      return;
    }
    const entry: Idle<S> = { session, timer: setTimeout(() => this.expire(key, entry), this.o.idleMs ?? IDLE_MS) };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(key, list);
    this.o.hold?.(session, false);
  }

  private expire(key: string, entry: Idle<S>): void {
    const list = this.idle.get(key);
    const at = list?.indexOf(entry) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.idle.delete(key);
    void this.close(entry);
  }

  private async close(entry: Idle<S>): Promise<void> {
    clearTimeout(entry.timer);
    this.ended.add(entry.session);
    await entry.session.end().catch(() => undefined);
  }

  /** A session the server ends while idle is never handed out again. */
  private watch(session: S): void {
    if (this.watched.has(session)) return;
    this.watched.add(session);
    const gone = () => this.ended.add(session);
    session.on("end", gone);
    session.on("error", () => gone());
  }
}
