// The edges of the thin activities that the operator reads or that keep a long watch honest: an audit entry's
// words and duration, a started entry that could not be written, a long-running operation polled by its URL,
// a refusal's reason naming both sides, a create that got no first answer, and a watch that keeps its window.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audited } from "../../src/activities/audited";
import { makeCheckOperation } from "../../src/activities/check-operation";
import { makeCheckPromotion } from "../../src/activities/check-promotion";
import { makeCheckReplica } from "../../src/activities/check-replica";
import { makeCreateReplica } from "../../src/activities/create-replica";
import { makeLowerTtl } from "../../src/activities/lower-ttl";
import { makeRepointCname } from "../../src/activities/repoint-cname";
import { makeRetireServer } from "../../src/activities/retire-server";
import { watch } from "../../src/activities/watch";
import { MemoryAuditJournal } from "../../src/audit/journal";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState, tickUntil } from "./fixtures";

const run = { runId: "r1", pair: "prod" };
const snapshot = (target: string, ttl: number) => ({ fqdn: "prod", target, ttl, etag: "1" });

test("a step that is not polled is written under its bare name, with how long it took", async () => {
  const journal = new MemoryAuditJournal();
  await audited(
    "lowerTtl",
    journal,
    () => "TTL 30s",
    async () => ({ kind: "done" }),
  )(run);
  const [started, ended] = journal.entries;
  assert.deepEqual([started!.summary, ended!.summary], ["lowerTtl", "TTL 30s"]);
  assert.ok(ended!.durationMs! >= 0 && ended!.durationMs! < 60_000, `durationMs ${ended!.durationMs}`);
});

test("a step that returns nothing is audited as succeeded with its summary", async () => {
  const journal = new MemoryAuditJournal();
  const r = await audited(
    "recordEvent",
    journal,
    () => "recorded",
    async () => undefined,
  )(run);
  assert.equal(r, undefined);
  assert.deepEqual(
    journal.entries.map((e) => [e.event, e.summary]),
    [
      ["started", "recordEvent"],
      ["succeeded", "recorded"],
    ],
  );
});

test("a long step whose started entry could not be written fails (to be retried), naming what was not written", async () => {
  const journal = new MemoryAuditJournal();
  journal.append = () => Promise.reject(undefined); // a store that rejects without saying why
  const slow = audited(
    "promote",
    journal,
    () => "started",
    async () => {
      await new Promise((r) => setTimeout(r, 400)); // longer than the hold: "started" is written on its own
      return { kind: "started" };
    },
  );
  await assert.rejects(slow(run), /the started entry was not written/);
});

test("checkOperation answers with the operation's status as ARM gives it", async () => {
  const servers = new FakeServers({});
  servers.operation = { status: "Failed", error: "QuotaExceeded" };
  const check = makeCheckOperation(fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers));
  assert.deepEqual(await check({ ...run, operationUrl: "https://management.azure.com/operations/2", poll: 1 }), {
    status: "Failed",
    error: "QuotaExceeded",
  });
});

test("a long promote watch reads ARM again each interval, and keeps the operation it knew when a read of it fails", async () => {
  const servers = new FakeServers({ wus: replicaState("pg-wus", "pg-eus") });
  let armReads = 0;
  const get = servers.get.bind(servers);
  servers.get = (id) => (armReads++, get(id));
  let opReads = 0;
  servers.operationStatus = async () => {
    if (++opReads > 1) throw new Error("socket hang up");
    return { status: "InProgress" };
  };
  const probe = {
    inspect: async () => ({ inRecovery: true, transactionReadOnly: "on", address: "10.1.0.4" }),
  } as unknown as PostgresProbe;
  const check = makeCheckPromotion(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), servers, probe), {
    armEveryMs: 250,
  });
  const server = { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "x", aRecordFqdn: WUS, fqdn: "pg-wus.example" };
  const r = await check({
    ...run,
    server,
    poll: 1,
    watchSeconds: 0.7,
    operationUrl: "https://management.azure.com/operations/1",
  });
  assert.ok(armReads >= 2, `ARM read ${armReads} times in a 0.7 s watch at one read per 0.25 s`);
  assert.ok(opReads >= 2, `the operation read ${opReads} times`);
  assert.equal(r.kind, "checked");
  assert.deepEqual(r.kind === "checked" && r.operation, { status: "InProgress" });
  assert.match(r.kind === "checked" ? r.detail : "", /; operation InProgress$/);
});

test("a create whose first answer carries no status is started, and followed by its URL", async () => {
  const servers = new FakeServers({ "pg-wus": primaryState("pg-wus") });
  servers.startCreateReplica = async () => ({ operationUrl: "https://management.azure.com/operations/2" }) as never;
  const create = makeCreateReplica(fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers));
  const input = {
    ...run,
    target: { resourceId: idOf("pg-eus-r1"), name: "pg-eus-r1", location: "eastus", network: null },
    sourceServerResourceId: idOf("pg-wus"),
  };
  const r = await create(input);
  assert.deepEqual(
    [r.kind, r.kind === "started" && r.operationUrl],
    ["started", "https://management.azure.com/operations/2"],
  );
});

test("a server of the wanted name with no role at all is refused naming its role as none", async () => {
  const { role: _r, ...roleless } = primaryState("pg-eus-r1");
  const servers = new FakeServers({ "pg-wus": primaryState("pg-wus"), new: roleless });
  const create = makeCreateReplica(fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers));
  const r = await create({
    ...run,
    target: { resourceId: idOf("pg-eus-r1"), name: "pg-eus-r1", location: "eastus", network: null },
    sourceServerResourceId: idOf("pg-wus"),
  });
  assert.equal(r.kind === "refused" && r.reason, "pg-eus-r1 exists and is not a replica of the primary (role none)");
});

test("a CNAME changed by someone else: lowerTtl and repoint say where it points now and what was expected", async () => {
  const dns = new FakeDns({ target: "other.example.com", ttl: 3600 });
  const lower = await makeLowerTtl(fakeDeps(dns, new FakeServers({})))({
    ...run,
    expected: snapshot(EUS, 3600),
    ttl: 30,
  });
  assert.equal(
    lower.kind === "refused" && lower.reason,
    `the CNAME was changed by someone else since preflight: it now points at other.example.com, not ${EUS}`,
  );
  const repoint = await makeRepointCname(fakeDeps(dns, new FakeServers({})))({
    ...run,
    fromTarget: EUS,
    toTarget: WUS,
  });
  assert.equal(
    repoint.kind === "refused" && repoint.reason,
    `the CNAME now points at other.example.com, set by someone else (expected ${EUS}); not overwriting it`,
  );
});

test("a watch without a pace looks every 200 ms, and its last pause ends at its deadline, not a pace later", async () => {
  let looks = 0;
  await watch(
    async () => ++looks,
    () => false,
    { seconds: 0.5 },
  );
  assert.ok(looks >= 3 && looks <= 5, `${looks} looks in 0.5 s at one per 200 ms`);
  const t0 = Date.now();
  await watch(
    async () => 0,
    () => false,
    { seconds: 0.05, everyMs: 2000 },
  );
  const took = Date.now() - t0;
  assert.ok(took < 1000, `a 50 ms watch paced at 2 s took ${took} ms`);
});

test("a watch keeps its pace from each look's start: a look that takes 60 ms does not push the next one 60 ms back", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const starts: number[] = [];
  const watching = watch(
    async () => {
      starts.push(Date.now());
      t.mock.timers.tick(60); // the look itself takes 60 ms
      return starts.length;
    },
    (n) => n === 4,
    { seconds: 10, everyMs: 100 },
  );
  await tickUntil(t.mock.timers, () => starts.length >= 4, { stepMs: 20, limitMs: 400 });
  assert.equal(await watching, 4);
  assert.deepEqual(starts, [0, 100, 200, 300]);
});

test("a server ARM lists without a state: not Ready for the replica check, and stopped all the same when retiring", async () => {
  const { state: _s, ...stateless } = replicaState("pg-eus-r1", "pg-wus");
  const servers = new FakeServers({ "pg-wus": primaryState("pg-wus"), new: stateless as never });
  const deps = fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers);
  const waiting = await makeCheckReplica(deps)({
    ...run,
    target: { resourceId: idOf("pg-eus-r1"), name: "pg-eus-r1" },
    primary: { resourceId: idOf("pg-wus"), fqdn: "pg-wus.postgres.database.azure.com" },
    operationUrl: null,
    maxLagBytes: 1024,
    poll: 1,
  });
  assert.equal(waiting.kind, "waiting");
  const retired = await makeRetireServer(deps)({
    ...run,
    server: { resourceId: idOf("pg-eus-r1"), name: "pg-eus-r1" },
    how: "stop",
  });
  assert.equal(retired.kind, "started");
  assert.deepEqual(servers.stops, [idOf("pg-eus-r1")]);
});
