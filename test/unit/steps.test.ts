// The small steps of a run, each against in-memory fakes: the fence (what it reports, survivors and settings
// that switch it off included), its ARM-only form and its lifting, the catch-up check, the fence watch's
// record, the promotion check, and the short watch they share.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeCheckCatchUp } from "../../src/activities/check-catch-up";
import { makeCheckPromotion } from "../../src/activities/check-promotion";
import { makeFence } from "../../src/activities/fence";
import { makeFenceByArm } from "../../src/activities/fence-by-arm";
import { FENCE_PARAMETER } from "../../src/activities/fencing";
import { makeLiftFence } from "../../src/activities/lift-fence";
import { watch } from "../../src/activities/watch";
import { makeWatchFence } from "../../src/activities/watch-fence";
import type { ServerFacts } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const OLD = { resourceId: idOf("pg-eus"), name: "pg-eus", aRecord: "a1b2c3d4e5f6", aRecordFqdn: EUS };
const NEW = { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "0a1b2c3d4e5f", aRecordFqdn: WUS };
const OLD_FQDN = "pg-eus.postgres.database.azure.com";
const run = { runId: "run-1", pair: "prod" };

function world(probe: Record<string, unknown> = {}) {
  const dns = new FakeDns({ target: EUS, ttl: 30 });
  const servers = new FakeServers({ eus: primaryState(), wus: replicaState() });
  const deps = fakeDeps(dns, servers, probe);
  return { deps, servers };
}

/** A server whose new sessions see the fence parameter ARM holds for it. */
function fenceProbe(
  servers: FakeServers,
  o: { overrides?: string[]; survivors?: { user: string; sessions: number }[] },
) {
  const asked: string[] = [];
  return {
    asked,
    probe: {
      fenceState: async (name: string) => {
        asked.push(`fenceState ${name}`);
        return {
          inRecovery: false,
          readOnlyDefault: servers.parameters.get(`${OLD.resourceId}|${FENCE_PARAMETER}`) ?? "off",
          walLsn: "0/7000028",
          overrides: o.overrides ?? [],
        };
      },
      endSessions: async (name: string) => {
        asked.push(`endSessions ${name}`);
        return { ended: 3, stillExiting: 1, survivors: o.survivors ?? [] };
      },
    },
  };
}

test("the fence: parameter on through ARM, confirmed on the server, sessions ended; reports survivors and overrides", async () => {
  const { deps, servers } = world();
  const survivors = [{ user: "azure_pg_admin_user", sessions: 2 }];
  const overrides = ["role app_writer: default_transaction_read_only=off"];
  const f = fenceProbe(servers, { survivors, overrides });
  deps.probe = f.probe as never;
  const r = await makeFence(deps)({ ...run, server: OLD });
  assert.deepEqual(servers.parameterWrites, [{ resourceId: OLD.resourceId, name: FENCE_PARAMETER, value: "on" }]);
  // Its own name from ARM (the ServerRef had none); confirmed before the sessions are ended, and again after.
  assert.deepEqual(f.asked, [`fenceState ${OLD_FQDN}`, `endSessions ${OLD_FQDN}`, `fenceState ${OLD_FQDN}`]);
  assert.equal(r.kind, "fenced");
  const fenced = r as Extract<typeof r, { kind: "fenced" }>;
  assert.deepEqual(
    [fenced.server, fenced.ended, fenced.stillExiting, fenced.survivors, fenced.overrides, fenced.lsn],
    ["pg-eus", 3, 1, survivors, overrides, "0/7000028"],
  );
});

test("the fence does not hold after the sessions were ended: the step fails, naming the value seen", async () => {
  const { deps, servers } = world();
  let n = 0;
  deps.probe = {
    fenceState: async () => ({
      inRecovery: false,
      readOnlyDefault: n++ === 0 ? "on" : "off",
      walLsn: null,
      overrides: [],
    }),
    endSessions: async () => ({ ended: 0, stillExiting: 0, survivors: [] }),
  } as never;
  await assert.rejects(
    makeFence(deps)({ ...run, server: { ...OLD, fqdn: OLD_FQDN } }),
    /pg-eus\.postgres\.database\.azure\.com: the fence did not hold \(default_transaction_read_only off\)/,
  );
  assert.equal(servers.parameterWrites.length, 1);
});

test("lifting the fence puts the previous value back and confirms it on the server", async () => {
  const { deps, servers } = world();
  servers.parameters.set(`${OLD.resourceId}|${FENCE_PARAMETER}`, "on");
  const f = fenceProbe(servers, {});
  deps.probe = f.probe as never;
  const r = await makeLiftFence(deps)({ ...run, server: { ...OLD, fqdn: OLD_FQDN }, previousValue: "off" });
  assert.deepEqual(r, { kind: "lifted", value: "off" });
  assert.deepEqual(servers.parameterWrites, [{ resourceId: OLD.resourceId, name: FENCE_PARAMETER, value: "off" }]);
  assert.deepEqual(f.asked, [`fenceState ${OLD_FQDN}`]);
});

test("a server with no name in ARM cannot be fenced: the step fails saying so", async () => {
  const { deps, servers } = world();
  servers.states.eus = { ...primaryState(), fqdn: undefined };
  await assert.rejects(
    makeLiftFence(deps)({ ...run, server: OLD, previousValue: "off" }),
    /ARM reports no fullyQualifiedDomainName for pg-eus/,
  );
});

test("the ARM-only fence sets the parameter with a bounded wait, no login", async () => {
  const { deps, servers } = world();
  const seen: unknown[] = [];
  servers.setParameter = async (resourceId: string, name: string, value: string, o?: { abortSignal?: AbortSignal }) => {
    seen.push([resourceId, name, value, o?.abortSignal instanceof AbortSignal, o?.abortSignal?.aborted]);
  };
  const r = await makeFenceByArm(deps)({ ...run, server: OLD, timeoutSeconds: 30 });
  assert.deepEqual(seen, [[OLD.resourceId, FENCE_PARAMETER, "on", true, false]]);
  assert.equal(r.kind, "parameterSet");
  assert.equal((r as { server: string }).server, "pg-eus");
});

test("the catch-up check: caught up when the replica replayed up to the fence's LSN", async () => {
  const { deps } = world({
    walPosition: async () => ({ inRecovery: true, lsn: "0/7000028", replaySeconds: 0 }),
  });
  const r = await makeCheckCatchUp(deps)({ ...run, server: NEW, lsn: "0/7000028", watchSeconds: 0 });
  assert.deepEqual(r, {
    kind: "checked",
    caughtUp: true,
    replayLsn: "0/7000028",
    lagBytes: 0,
    detail: `${WUS} replayed up to 0/7000028 (fence at 0/7000028)`,
  });
});

test("the catch-up check: behind by the bytes between the fence's LSN and the replay position", async () => {
  const { deps } = world({
    walPosition: async () => ({ inRecovery: true, lsn: "0/7000000", replaySeconds: 0 }),
  });
  const r = await makeCheckCatchUp(deps)({
    ...run,
    server: { ...NEW, fqdn: "pg-wus.postgres.database.azure.com" },
    lsn: "0/7000028",
    watchSeconds: 0,
  });
  assert.equal(r.kind, "checked"); // the next line alone would pass for any other kind
  assert.equal(r.kind === "checked" && r.caughtUp, false);
  assert.equal(r.kind === "checked" && r.lagBytes, 40);
  assert.equal(
    r.kind === "checked" && r.detail,
    "pg-wus.postgres.database.azure.com is 40 bytes behind the fence at 0/7000028 (replayed 0/7000000)",
  );
});

test("the catch-up check watches within its window: the replay reaching the fence is seen", async () => {
  const lsns = ["0/7000000", "0/7000010", "0/7000028"];
  const { deps } = world({
    walPosition: async () => ({ inRecovery: true, lsn: lsns.shift() ?? "0/7000028", replaySeconds: 0 }),
  });
  const r = await makeCheckCatchUp(deps)({ ...run, server: NEW, lsn: "0/7000028", watchSeconds: 5 });
  assert.equal(r.kind === "checked" && r.caughtUp, true);
  assert.deepEqual(lsns, []);
});

test("the catch-up check: a replica that does not answer is not caught up, and the detail says why", async () => {
  const { deps } = world({
    walPosition: async () => {
      throw new Error("connect ECONNREFUSED 10.1.0.4:5432");
    },
  });
  const r = await makeCheckCatchUp(deps)({ ...run, server: NEW, lsn: "0/7000028", watchSeconds: 0 });
  assert.equal(r.kind, "checked"); // the next line alone would pass for any other kind
  assert.equal(r.kind === "checked" && r.caughtUp, false);
  assert.equal(r.kind === "checked" && r.lagBytes, null);
  assert.match(
    r.kind === "checked" ? r.detail : "",
    new RegExp(`^${WUS.replace(/\./g, "\\.")} did not answer: .*ECONNREFUSED`),
  );
});

test("the fence watch's record: pending until now + watchHours, once per run (a retry keeps the first deadline)", async () => {
  const { deps } = world();
  const before = Date.now();
  const r = await makeWatchFence(deps)({ ...run, server: OLD, watchHours: 24, action: "stop" });
  const f = await deps.state.fence("prod");
  assert.ok(f);
  assert.equal(r.kind === "watching" && r.until, f.until);
  const span = Date.parse(f.until) - Date.parse(f.since);
  assert.equal(span, 24 * 3600_000);
  assert.ok(Date.parse(f.since) >= before - 1 && Date.parse(f.since) <= Date.now());
  assert.deepEqual(
    [f.pair, f.runId, f.server, f.action, f.state, f.attempts],
    ["prod", "run-1", OLD, "stop", "pending", 0],
  );
  await deps.state.putFence({ ...f, attempts: 5 });
  const again = await makeWatchFence(deps)({ ...run, server: OLD, watchHours: 1, action: "stop" });
  assert.deepEqual(again, { kind: "watching", until: f.until });
  assert.equal((await deps.state.fence("prod"))?.attempts, 5, "the retry did not reset the watch");
  // A later run's fence replaces an earlier one's.
  await makeWatchFence(deps)({ runId: "run-2", pair: "prod", server: OLD, watchHours: 2, action: "readOnly" });
  const later = await deps.state.fence("prod");
  assert.deepEqual([later?.runId, later?.action, later?.attempts], ["run-2", "readOnly", 0]);
});

test("watch: returns the first result that is done, else the last one when the window ends", async () => {
  let n = 0;
  const done = await watch(
    async () => ++n,
    (x) => x === 3,
    { seconds: 5, everyMs: 1 },
  );
  assert.deepEqual([done, n], [3, 3]);
  n = 0;
  const started = Date.now();
  const last = await watch(
    async () => ++n,
    () => false,
    { seconds: 0.2, everyMs: 50 },
  );
  const took = Date.now() - started;
  assert.equal(last, n);
  assert.ok(n >= 2 && n <= 6, `${n} checks in 200 ms every 50 ms`);
  assert.ok(took >= 195 && took < 5000, `took ${took} ms`);
  n = 0;
  assert.equal(
    await watch(
      async () => ++n,
      () => false,
      { seconds: 0 },
    ),
    1,
    "a zero window checks once",
  );
});

function facts(o: Partial<ServerFacts>): ServerFacts {
  return {
    name: WUS,
    resolution: { chain: [WUS], addresses: ["10.1.0.4"], ttl: 30 },
    address: "10.1.0.4",
    tls: {},
    inRecovery: true,
    transactionReadOnly: "on",
    serverVersion: "16.4",
    wroteAndRolledBack: false,
    ...o,
  } as ServerFacts;
}

test("the promotion check: writable by its own name is writable, even when ARM cannot be read (a 403)", async () => {
  const { deps, servers } = world({ inspect: async () => facts({ inRecovery: false, transactionReadOnly: "off" }) });
  servers.get = async () => {
    throw Object.assign(new Error("AuthorizationFailed"), { statusCode: 403, code: "AuthorizationFailed" });
  };
  const r = await makeCheckPromotion(deps)({ ...run, server: NEW, watchSeconds: 0 });
  assert.equal(r.kind === "checked" && r.progress, "writable");
  assert.equal(r.kind, "checked"); // the next line alone would pass for any other kind
  assert.equal(r.kind === "checked" && r.inRecovery, false);
  assert.match(
    r.kind === "checked" ? r.detail : "",
    /in recovery false, transaction_read_only off; ARM: .*AuthorizationFailed/,
  );
});

test("the promotion check: a Ready replica with no operation under way is not promoting, and says so", async () => {
  const { deps } = world({ inspect: async () => facts({}) });
  const r = await makeCheckPromotion(deps)({ ...run, server: NEW, watchSeconds: 0 });
  assert.equal(r.kind === "checked" && r.progress, "notStarted");
  assert.match(
    r.kind === "checked" ? r.detail : "",
    /^pg-wus is still a replica and not promoting \(.*\(10\.1\.0\.4\): in recovery true, transaction_read_only on; ARM: state Ready, role GeoAsyncReplica, replication Active, still has a source server\)$/,
  );
});

test("the promotion check: the promote's operation failed while the server is in recovery: failed", async () => {
  const { deps, servers } = world({ inspect: async () => facts({}) });
  servers.operation = { status: "Failed", error: "InternalServerError" };
  const r = await makeCheckPromotion(deps)({
    ...run,
    server: NEW,
    operationUrl: "https://management.azure.com/operations/1",
    watchSeconds: 0,
  });
  assert.equal(r.kind === "checked" && r.progress, "failed");
  assert.deepEqual(r.kind === "checked" && r.operation, { status: "Failed", error: "InternalServerError" });
  assert.match(r.kind === "checked" ? r.detail : "", /; operation Failed \(InternalServerError\)$/);
});

test("the promotion check: not answering while the operation is in progress is promoting, with the reason", async () => {
  const { deps, servers } = world({
    inspect: async () => {
      throw new Error("connect ETIMEDOUT 10.1.0.4:5432");
    },
  });
  servers.operation = { status: "InProgress" };
  const r = await makeCheckPromotion(deps)({
    ...run,
    server: NEW,
    operationUrl: "https://management.azure.com/operations/1",
    watchSeconds: 0,
  });
  assert.equal(r.kind === "checked" && r.progress, "promoting");
  assert.equal(r.kind === "checked" && r.inRecovery, null);
  assert.match(
    r.kind === "checked" ? r.detail : "",
    new RegExp(`^${WUS.replace(/\./g, "\\.")} is not answering \\(.*ETIMEDOUT`),
  );
});

// Mutation testing (issue 23): the catch-up check asks the replica by its own name with verify-full, and keeps
// watching until the replay reaches the fence.
test("the catch-up check reads the replica by name with verify-full and watches until it is caught up", async () => {
  const asked: string[] = [];
  const lsns = ["0/7000000", "0/7000028"];
  const { deps } = world({
    walPosition: async (name: string, _login: unknown, sslmode: string) => {
      asked.push(`${name} ${sslmode}`);
      return { inRecovery: true, lsn: lsns.shift() ?? "0/7000028", replaySeconds: 0 };
    },
  });
  const r = await makeCheckCatchUp(deps)({
    ...run,
    server: { ...NEW, fqdn: "pg-wus.postgres.database.azure.com" },
    lsn: "0/7000028",
    watchSeconds: 5,
  });
  assert.equal(r.kind === "checked" && r.caughtUp, true);
  assert.deepEqual(asked, [
    "pg-wus.postgres.database.azure.com verify-full",
    "pg-wus.postgres.database.azure.com verify-full",
  ]);
});
