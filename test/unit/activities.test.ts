import assert from "node:assert/strict";
import { test } from "node:test";
import { audited, STARTED_HOLD_MS } from "../../src/activities/audited";
import { ArmRefusal } from "../../src/azure/errors";
import { chronological, MemoryAuditJournal, type AuditEntry, type AuditEvent } from "../../src/audit/journal";
import { makeLowerTtl } from "../../src/activities/lower-ttl";
import { makePromote } from "../../src/activities/promote";
import { makeRepointCname } from "../../src/activities/repoint-cname";
import { makeRestoreTtl } from "../../src/activities/restore-ttl";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const run = { runId: "r1", pair: "prod" };
const snapshot = (target: string, ttl: number) => ({ fqdn: "prod", target, ttl, etag: "1" });

test("lowerTtl writes with If-Match and is a no-op the second time", async () => {
  const dns = new FakeDns({ target: EUS, ttl: 3600 });
  const lower = makeLowerTtl(fakeDeps(dns, new FakeServers({})));
  const first = await lower({ ...run, expected: snapshot(EUS, 3600), ttl: 30 });
  assert.deepEqual(first.kind === "done" && [first.changed, first.previousTtl, first.ttl], [true, 3600, 30]);
  assert.deepEqual(dns.puts, [{ target: EUS, ttl: 30, ifMatch: "1" }]);
  const again = await lower({ ...run, expected: snapshot(EUS, 3600), ttl: 30 });
  assert.equal(again.kind, "done"); // the next line alone would pass for any other kind
  assert.equal(again.kind === "done" && again.changed, false);
  assert.equal(dns.puts.length, 1);
});

test("lowerTtl refuses when the CNAME was repointed since preflight", async () => {
  const dns = new FakeDns({ target: "other.example.com", ttl: 3600 });
  const r = await makeLowerTtl(fakeDeps(dns, new FakeServers({})))({ ...run, expected: snapshot(EUS, 3600), ttl: 30 });
  assert.equal(r.kind === "refused" && r.code, "ConcurrentChange");
  assert.equal(dns.puts.length, 0);
});

test("repoint moves the CNAME once, then reports it already there", async () => {
  const dns = new FakeDns({ target: EUS, ttl: 30 });
  const repoint = makeRepointCname(fakeDeps(dns, new FakeServers({})));
  const r = await repoint({ ...run, fromTarget: EUS, toTarget: WUS });
  assert.equal(r.kind === "done" && r.changed, true);
  assert.equal(dns.record.target, WUS);
  const again = await repoint({ ...run, fromTarget: EUS, toTarget: WUS });
  assert.equal(again.kind, "done"); // the next line alone would pass for any other kind
  assert.equal(again.kind === "done" && again.changed, false);
  assert.equal(dns.puts.length, 1);
});

test("repoint never overwrites someone else's change", async () => {
  const dns = new FakeDns({ target: "someone-else.example.com", ttl: 30 });
  const r = await makeRepointCname(fakeDeps(dns, new FakeServers({})))({ ...run, fromTarget: EUS, toTarget: WUS });
  assert.equal(r.kind === "refused" && r.code, "ConcurrentChange");
  assert.equal(dns.puts.length, 0);
});

test("repoint throws a 412 so the retry re-reads the record", async () => {
  const dns = new FakeDns({ target: EUS, ttl: 30 });
  dns.failNextPutWith = Object.assign(new Error("etag"), { statusCode: 412, code: "PreconditionFailed" });
  await assert.rejects(
    makeRepointCname(fakeDeps(dns, new FakeServers({})))({ ...run, fromTarget: EUS, toTarget: WUS }),
    /etag/,
  );
  assert.equal(dns.record.target, EUS);
});

test("promote starts once; a retry sees it in progress; a promoted server is not promoted again", async () => {
  const servers = new FakeServers({ eus: primaryState(), wus: replicaState() });
  const promote = makePromote(fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers));
  const args = {
    ...run,
    server: { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "x", aRecordFqdn: WUS },
    option: "Planned" as const,
  };
  assert.equal((await promote(args)).kind, "started");
  assert.equal((await promote(args)).kind, "inProgress");
  Object.assign(servers.states.wus!, { state: "Ready", role: "Primary", sourceServerResourceId: undefined });
  assert.equal((await promote(args)).kind, "alreadyPromoted");
  assert.equal(servers.promotes.length, 1);
});

test("promote: a permanent ARM answer comes back as a typed refusal without a retry; a 5xx is thrown for retry", async () => {
  const servers = new FakeServers({ wus: replicaState() });
  const deps = fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers);
  const promote = audited("promote", deps.journal, (o) => o.kind, makePromote(deps));
  const args = {
    ...run,
    server: { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "x", aRecordFqdn: WUS },
    option: "Forced" as const,
  };
  servers.failPromoteWith = Object.assign(new Error("busy"), { statusCode: 503 });
  await assert.rejects(promote(args), /busy/);
  servers.failPromoteWith = new ArmRefusal("promote pg-wus", "AuthorizationFailed", 403, "no access");
  const r = await promote(args);
  assert.deepEqual(r.kind === "refused" && [r.code, r.reason], [
    "AuthorizationFailed",
    "ARM refused to promote pg-wus (HTTP 403 AuthorizationFailed): no access",
  ]);
  assert.deepEqual(
    deps.journal.entries.map((e) => e.event),
    ["started", "failed", "started", "refused"],
  );
});

test("restoreTtl leaves a record someone else repointed alone", async () => {
  const dns = new FakeDns({ target: "someone-else.example.com", ttl: 30 });
  const r = await makeRestoreTtl(fakeDeps(dns, new FakeServers({})))({ ...run, ttl: 3600, ownTargets: [EUS, WUS] });
  assert.equal(r.kind, "refused");
  assert.equal(dns.record.ttl, 30);
});

test("audited records each attempt, its outcome and never the secrets", async () => {
  const deps = fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), new FakeServers({}));
  let calls = 0;
  const fn = audited(
    "demo",
    deps.journal,
    () => "fine",
    async (_i: typeof run & { password: string }) => {
      if (++calls === 1) throw Object.assign(new Error("ECONNRESET talking to ARM"), { code: "ECONNRESET" });
      return { kind: "done" };
    },
  );
  await assert.rejects(fn({ ...run, password: "hunter2" }));
  await fn({ ...run, password: "hunter2" });
  const events = deps.journal.entries.map((e) => `${e.step}:${e.event}:${e.attempt}`);
  assert.deepEqual(events, ["demo:started:1", "demo:failed:1", "demo:started:2", "demo:succeeded:2"]);
  assert.match(deps.journal.entries[1]!.summary, /ECONNRESET/);
  assert.ok(!JSON.stringify(deps.journal.entries).includes("hunter2"));
});

test("a quick step's first attempt is one round trip: its counter, started entry and outcome in one transaction; a retry is numbered by the counter, then one batch", async () => {
  const journal = new MemoryAuditJournal();
  const trips: string[] = [];
  const append = journal.append.bind(journal);
  const appendBatch = journal.appendBatch.bind(journal);
  const first = journal.appendFirstAttempt.bind(journal);
  const next = journal.nextAttempt.bind(journal);
  journal.append = async (e) => (trips.push(`append ${e.event}`), append(e));
  journal.appendBatch = async (es) => (
    trips.push(`batch ${es.map((e) => `${e.event}:${e.attempt}`).join(",")}`),
    appendBatch(es)
  );
  journal.appendFirstAttempt = async (runId, key, es) => {
    const written = await first(runId, key, es);
    trips.push(`first ${es.map((e) => `${e.event}:${e.attempt}`).join(",")} ${written ? "written" : "refused"}`);
    return written;
  };
  journal.nextAttempt = async (runId, key) => (trips.push(`counter ${key.step}`), next(runId, key));
  const step = audited(
    "demo",
    journal,
    () => "ok",
    async () => ({ kind: "done" }),
  );
  await step(run);
  assert.deepEqual(trips, ["first started:1,succeeded:1 written"], "one round trip for the quick step");
  assert.ok(journal.entries[0]!.at <= journal.entries[1]!.at);
  trips.length = 0;
  await step(run); // the same call again: a retry
  assert.deepEqual(trips, ["first started:1,succeeded:1 refused", "counter demo", "batch started:2,succeeded:2"]);
  assert.deepEqual(
    journal.entries.map((e) => `${e.event}:${e.attempt}`),
    ["started:1", "succeeded:1", "started:2", "succeeded:2"],
  );
});

test("one run's step for two pairs (an evacuation's claims) is a first attempt for each: one pair's claim is no retry of another's", async () => {
  const journal = new MemoryAuditJournal();
  const claim = audited(
    "claim",
    journal,
    (_o, i: typeof run) => `${i.pair}: lease taken`,
    async () => ({ kind: "claimed" }),
  );
  await Promise.all([claim({ runId: "evac", pair: "a" }), claim({ runId: "evac", pair: "b" })]);
  await claim({ runId: "evac", pair: "a" }); // a's claim again: its retry
  assert.deepEqual(
    journal.entries.map((e) => `${e.pair} ${e.event}:${e.attempt} ${e.summary}`),
    [
      "a started:1 claim",
      "a succeeded:1 a: lease taken",
      "b started:1 claim",
      "b succeeded:1 b: lease taken",
      "a started:2 claim retry 1",
      "a succeeded:2 a: lease taken",
    ],
  );
});

test("a first attempt whose one-transaction write failed is written the slower way, numbered by the counter", async () => {
  const journal = new MemoryAuditJournal();
  journal.appendFirstAttempt = async () => {
    throw new Error("ETIMEDOUT"); // the transaction is all or none: nothing of it was written
  };
  await audited(
    "demo",
    journal,
    () => "ok",
    async () => ({ kind: "done" }),
  )(run);
  assert.deepEqual(
    journal.entries.map((e) => `${e.event}:${e.attempt}`),
    ["started:1", "succeeded:1"],
  );
});

test("audited writes a long step's started entry while it runs, and its outcome only after that entry landed", async () => {
  const journal = new MemoryAuditJournal();
  const append = journal.append.bind(journal);
  let releaseStarted = () => {};
  // Storage is slow for the "started" entry: the step does not wait for it, the outcome does.
  journal.append = async (e) => {
    if (e.event === "started") await new Promise<void>((r) => (releaseStarted = r));
    return append(e);
  };
  let finishStep = () => {};
  let stepDone = false;
  const fn = audited(
    "demo",
    journal,
    () => "ok",
    () => new Promise<{ kind: string }>((r) => (finishStep = () => ((stepDone = true), r({ kind: "done" })))),
  );
  const done = fn(run);
  await new Promise((r) => setTimeout(r, STARTED_HOLD_MS + 50));
  assert.ok(!stepDone);
  finishStep(); // the step ends while its "started" entry is still being written
  await new Promise((r) => setImmediate(r));
  assert.equal(journal.entries.length, 0, "no outcome before the started entry lands");
  releaseStarted();
  await done;
  assert.deepEqual(
    journal.entries.map((e) => `${e.event}:${e.attempt}`),
    ["started:1", "succeeded:1"],
    "numbered once: the outcome carries the started entry's number",
  );
});

test("an attempt whose started entry cannot be written fails, so the retry policy runs it again on record", async () => {
  const journal = new MemoryAuditJournal();
  journal.append = async (e) => {
    if (e.event === "started") throw new Error("table storage unreachable");
  };
  journal.appendFirstAttempt = async () => {
    throw new Error("table storage unreachable (first attempt)");
  };
  journal.appendBatch = async () => {
    throw new Error("table storage unreachable (batch)");
  };
  const quick = audited(
    "demo",
    journal,
    () => "ok",
    async () => ({ kind: "done" }),
  );
  await assert.rejects(quick(run), /table storage unreachable \(batch\)/);
  const slow = audited(
    "demo",
    journal,
    () => "ok",
    async () => {
      await new Promise((r) => setTimeout(r, STARTED_HOLD_MS + 50));
      return { kind: "done" };
    },
  );
  await assert.rejects(slow(run), /table storage unreachable$/);
});

test("audited makes no storage round trip before the step runs; an attempt that cannot be numbered is not on record", async () => {
  const journal = new MemoryAuditJournal();
  const order: string[] = [];
  const first = journal.appendFirstAttempt.bind(journal);
  journal.appendFirstAttempt = async (runId, key, es) => (order.push("journal"), first(runId, key, es));
  journal.nextAttempt = async () => {
    order.push("counter");
    throw new Error("counter unreachable");
  };
  const fn = audited(
    "demo",
    journal,
    () => "ok",
    async () => (order.push("step"), { kind: "done" }),
  );
  await fn(run);
  assert.deepEqual(order, ["step", "journal"], "the step started first; a first attempt needs no counter read");
  assert.deepEqual(
    journal.entries.map((e) => [e.event, e.attempt]),
    [
      ["started", 1],
      ["succeeded", 1],
    ],
  );
  await assert.rejects(fn(run), /counter unreachable/, "a retry that cannot be numbered is not on record: retried");
  assert.equal(journal.entries.length, 2, "and nothing is written for it");
});

test("the timeline puts a step's started entry before its outcome stamped in the same millisecond", () => {
  const at = "2026-11-27T10:00:00.000Z";
  const e = (event: AuditEvent): AuditEntry => ({
    runId: "r",
    pair: "p",
    step: "s",
    event,
    attempt: 1,
    summary: event,
    at,
  });
  const sorted = [e("succeeded"), e("started")].sort(chronological).map((x) => x.event);
  assert.deepEqual(sorted, ["started", "succeeded"]);
});

test("audited numbers attempts without re-reading the run's timeline", async () => {
  const journal = new MemoryAuditJournal();
  journal.list = async () => assert.fail("an attempt must not read the whole audit partition");
  const poll = audited(
    "checkPromotion",
    journal,
    () => "ok",
    async (_: typeof run & { poll: number }) => ({}),
  );
  for (const p of [1, 1, 2]) await poll({ ...run, poll: p });
  const started = journal.entries.filter((e) => e.event === "started").map((e) => [e.summary, e.attempt]);
  assert.deepEqual(started, [
    ["checkPromotion poll 1", 1],
    ["checkPromotion poll 1 retry 1", 2],
    ["checkPromotion poll 2", 1],
  ]);
});
