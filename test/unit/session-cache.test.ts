// The probe's kept sessions (src/probe/session-cache.ts through PostgresProbe): reused for the same name, address,
// login and TLS mode; never across an address change; dropped on any error; a kept session the server ended is
// replaced, not reported; the CNAME proof (fresh) never takes a kept one. Small fakes for pg's Client.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import type { Client } from "pg";
import { PostgresProbe } from "../../src/probe/postgres-probe";
import { isBrokenSession, SessionCache } from "../../src/probe/session-cache";
import type { ConnectOptions } from "../../src/probe/pg-connect";

class FakeSession extends EventEmitter {
  ended = false;
  queries = 0;
  constructor(
    readonly address: string,
    private readonly answer: () => unknown = () => ({ in_recovery: true, lsn: "0/10", replay_s: null }),
  ) {
    super();
  }
  async query() {
    if (this.ended) throw new Error("Client was closed and is not queryable");
    this.queries++;
    return { rows: [this.answer()] };
  }
  async end() {
    this.ended = true;
  }
  /** The server ends this session (pg_terminate_backend, a restart). */
  killed() {
    this.ended = true;
    this.emit(
      "error",
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    );
    this.emit("end");
  }
}

function rig(addresses: string[] = ["10.0.0.4"]) {
  const opened: FakeSession[] = [];
  const resolver = { resolve: async () => ({ chain: [], addresses: [...addresses], ttl: 30 }) };
  const open = async (o: ConnectOptions) => {
    const s = new FakeSession(o.address);
    opened.push(s);
    return s as unknown as Client;
  };
  const probe = new PostgresProbe(resolver, new SessionCache(), open);
  const login = {
    port: 5432,
    database: "postgres",
    user: "probe",
    password: async () => "secret",
    ca: ["CA"],
    connectTimeoutMs: 1000,
  };
  return { probe, opened, login, addresses };
}

test("checks of the same server share one session: one login for a whole watch", async () => {
  const { probe, opened, login } = rig();
  for (let i = 0; i < 5; i++) await probe.walPosition("pg-a.postgres.database.azure.com", login, "verify-full");
  assert.equal(opened.length, 1);
  assert.equal(opened[0]!.queries, 5);
  assert.equal(opened[0]!.ended, false, "kept for the next step");
});

test("a name that resolves to another address gets a new session, never the one to the old address", async () => {
  const { probe, opened, login, addresses } = rig();
  await probe.walPosition("prod.zone", login, "verify-full");
  addresses[0] = "10.0.0.9";
  await probe.walPosition("prod.zone", login, "verify-full");
  assert.deepEqual(
    opened.map((s) => s.address),
    ["10.0.0.4", "10.0.0.9"],
  );
  assert.equal(opened[1]!.queries, 1);
});

test("another user, TLS mode or CA bundle is another session", async () => {
  const { probe, opened, login } = rig();
  await probe.walPosition("pg-a", login, "verify-full");
  await probe.walPosition("pg-a", { ...login, user: "other" }, "verify-full");
  await probe.walPosition("pg-a", login, "verify-ca");
  await probe.walPosition("pg-a", { ...login, ca: ["another CA"] }, "verify-full");
  assert.equal(opened.length, 4);
});

test("any error discards the session: the next check logs in again", async () => {
  let fail = true;
  const cache = new SessionCache<FakeSession>();
  const s1 = new FakeSession("a");
  await assert.rejects(
    cache.use(
      "k",
      async () => s1,
      async () => {
        if (fail) throw Object.assign(new Error("permission denied"), { code: "42501" });
      },
    ),
    /permission denied/,
  );
  assert.equal(s1.ended, true);
  fail = false;
  const s2 = new FakeSession("a");
  await cache.use(
    "k",
    async () => s2,
    async () => undefined,
  );
  assert.equal(cache.counts.opened, 2);
});

test("a kept session the server ended while idle (the fence, a restart) is replaced, not reported", async () => {
  const { probe, opened, login } = rig();
  await probe.walPosition("pg-a", login, "verify-full");
  opened[0]!.killed();
  const w = await probe.walPosition("pg-a", login, "verify-full");
  assert.equal(w.lsn, "0/10");
  assert.equal(opened.length, 2);
});

test("a kept session that breaks as it is used is replaced once; a new one that breaks is an error", async () => {
  const cache = new SessionCache<FakeSession>();
  const kept = new FakeSession("a");
  await cache.use(
    "k",
    async () => kept,
    async () => undefined,
  );
  const broken = () => Object.assign(new Error("Connection terminated unexpectedly"), {});
  let calls = 0;
  const r = await cache.use(
    "k",
    async () => new FakeSession("a"),
    async (s) => {
      calls++;
      if (s === kept) throw broken();
      return "answered";
    },
  );
  assert.equal(r, "answered");
  assert.equal(calls, 2);
  await assert.rejects(
    cache.use(
      "k2",
      async () => new FakeSession("a"),
      async () => {
        throw broken();
      },
    ),
    /Connection terminated/,
  );
});

test("the proof through the CNAME (fresh) never takes a kept session, and keeps none", async () => {
  const { probe, opened, login } = rig();
  await probe.walPosition("prod.zone", login, "verify-ca");
  const cache = probe.sessions;
  assert.equal(cache.size, 1);
  await assert.rejects(probe.inspect("prod.zone", login, "verify-ca", { fresh: true })); // the fake has no TLS socket
  assert.equal(opened.length, 2, "a new session");
  assert.equal(opened[1]!.ended, true, "closed afterwards");
  assert.equal(cache.size, 1);
});

test("an idle session is closed after the idle time", async () => {
  const cache = new SessionCache<FakeSession>({ idleMs: 20 });
  const s = new FakeSession("a");
  await cache.use(
    "k",
    async () => s,
    async () => undefined,
  );
  assert.equal(cache.size, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(cache.size, 0);
  assert.equal(s.ended, true);
});

test("broken sessions told apart from failed queries", () => {
  for (const e of [
    { code: "57P01" },
    { code: "57P02" },
    { code: "08006" },
    { code: "ECONNRESET" },
    new Error("Connection terminated unexpectedly"),
    new Error("Client has encountered a connection error and is not queryable"),
  ])
    assert.equal(isBrokenSession(e), true, JSON.stringify(e) + String(e));
  for (const e of [{ code: "42501" }, { code: "42P01" }, new Error("syntax error"), undefined])
    assert.equal(isBrokenSession(e), false, String(e));
});

test("a query that timed out is not run again on a new session in the same call: one check costs one timeout", async () => {
  const cache = new SessionCache<FakeSession>();
  const kept = new FakeSession("a");
  await cache.use(
    "k",
    async () => kept,
    async () => undefined,
  );
  let calls = 0;
  await assert.rejects(
    cache.use(
      "k",
      async () => new FakeSession("a"),
      async () => {
        calls++;
        throw new Error("Query read timeout");
      },
    ),
    /Query read timeout/,
  );
  assert.equal(calls, 1);
  assert.equal(kept.ended, true, "the session is discarded");
});
