// Re-protection's readiness check of the new replica (one poll): ready only when ARM, the zone's A record, a
// verify-full login by its own name and its lag all say so; a failed create is a refusal; anything else is
// "waiting" with every reason, so the run's status says what it waits for.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeCheckReplica } from "../../src/activities/check-replica";
import type { PostgresProbe, WalPosition } from "../../src/probe/postgres-probe";
import { FakeDns, FakeServers, fakeDeps, idOf, primaryState, replicaState, ZONE } from "./fixtures";

const run = { runId: "r1", pair: "prod" };
const NEW = "pg-eus-r1";
const input = {
  ...run,
  target: { resourceId: idOf(NEW), name: NEW },
  primary: { resourceId: idOf("pg-wus"), fqdn: "pg-wus.postgres.database.azure.com" },
  operationUrl: null,
  maxLagBytes: 1024,
  poll: 1,
};
const newReplica = () => ({ ...replicaState(NEW, "pg-wus") });
const at = (inRecovery: boolean, lsn: string): WalPosition => ({ inRecovery, lsn, replaySeconds: 0 });

function setup(
  o: {
    states?: Record<string, ReturnType<typeof newReplica>>;
    chain?: string[];
    replica?: WalPosition | Error;
    primaryLsn?: string;
  } = {},
) {
  const servers = new FakeServers(o.states ?? { [NEW]: newReplica(), "pg-wus": primaryState("pg-wus") });
  const asked: { name: string; sslmode: string; user: string }[] = [];
  const probe: Partial<PostgresProbe> = {
    resolve: async () => ({ chain: o.chain ?? [`ccc.${ZONE}`], addresses: ["10.1.0.7"], ttl: 30 }),
    walPosition: async (name, login, sslmode) => {
      asked.push({ name, sslmode, user: login.user });
      if (name === input.primary.fqdn) return at(false, o.primaryLsn ?? "0/3000400");
      if (o.replica instanceof Error) throw o.replica;
      return o.replica ?? at(true, "0/3000000");
    },
  };
  return { check: makeCheckReplica(fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers, probe)), asked, servers };
}

test("ready: ARM Ready and Active, an A record in the zone, a verify-full login by its own name, lag under the limit", async () => {
  const { check, asked } = setup();
  assert.deepEqual(await check(input), {
    kind: "ready",
    fqdn: `${NEW}.postgres.database.azure.com`,
    aRecord: "ccc",
    lagBytes: 0x400,
  });
  assert.deepEqual(
    asked.map((a) => [a.name, a.sslmode]).sort(),
    [
      [`${NEW}.postgres.database.azure.com`, "verify-full"],
      ["pg-wus.postgres.database.azure.com", "verify-full"],
    ],
    "both servers, by their own names, with verify-full",
  );
});

test("a create whose ARM operation failed is refused CreateFailed with ARM's error; nothing else is asked", async () => {
  const { check, servers, asked } = setup();
  servers.operation = { status: "Failed", error: "QuotaExceeded: no cores left in eastus" };
  assert.deepEqual(await check({ ...input, operationUrl: "https://management.azure.com/operations/2" }), {
    kind: "refused",
    code: "CreateFailed",
    reason: "ARM: QuotaExceeded: no cores left in eastus",
  });
  assert.equal(asked.length, 0);
  servers.operation = { status: "Canceled" };
  const canceled = await check({ ...input, operationUrl: "https://management.azure.com/operations/2" });
  assert.deepEqual(canceled, { kind: "refused", code: "CreateFailed", reason: "ARM: Canceled" });
  servers.operation = { status: "InProgress" };
  assert.equal((await check({ ...input, operationUrl: "https://management.azure.com/operations/2" })).kind, "ready");
});

test("not there yet: waiting, ARM does not show the server (and no login is tried)", async () => {
  const { check, asked } = setup({ states: { "pg-wus": primaryState("pg-wus") } });
  assert.deepEqual(await check(input), { kind: "waiting", detail: "ARM does not show the server yet" });
  assert.equal(asked.length, 0);
});

test("provisioning: waiting for every reason at once, and no login before ARM says Ready", async () => {
  const provisioning = { ...newReplica(), state: "Provisioning", replicationState: undefined };
  const { check, asked } = setup({ states: { [NEW]: provisioning } });
  assert.deepEqual(await check(input), {
    kind: "waiting",
    detail: [
      "ARM state Provisioning, not Ready",
      "replication unknown, not Active",
      "its name does not resolve to an A record in the zone yet",
      "its lag cannot be measured yet",
    ].join("; "),
  });
  assert.equal(asked.length, 0);
});

test("a name that resolves outside the zone, a login refused, a server not in recovery, a lag too high: each is waited for", async () => {
  const outside = await setup({ chain: ["elsewhere.example.com"] }).check(input);
  assert.deepEqual(outside, { kind: "waiting", detail: "its name does not resolve to an A record in the zone yet" });

  const refused = await setup({ replica: new Error("password authentication failed") }).check(input);
  assert.equal(refused.kind, "waiting");
  assert.match(
    (refused as { detail: string }).detail,
    /^the probe cannot log in by its own name \(verify-full\): .*password authentication failed; its lag cannot be measured yet$/,
  );

  const primaryToo = await setup({ replica: at(false, "0/3000400") }).check(input);
  assert.deepEqual(primaryToo, {
    kind: "waiting",
    detail:
      "the probe cannot log in by its own name (verify-full): it answers but is not in recovery; its lag cannot be measured yet",
  });

  const behind = await setup({ primaryLsn: "0/3100000" }).check(input);
  assert.deepEqual(behind, { kind: "waiting", detail: "lag 1048576 bytes, above 1024" });
});

// Mutation testing (issue 23): what is asked of whom, and what a read that fails or says nothing leaves.
test("no operation to follow: ARM's operation is not asked; the server's own name from ARM is the one probed", async () => {
  const s = setup({
    states: { [NEW]: { ...newReplica(), fqdn: "pg-eus-r1.private.example" }, "pg-wus": primaryState("pg-wus") },
  });
  let opsAsked = 0;
  const real = s.servers.operationStatus.bind(s.servers);
  s.servers.operationStatus = () => (opsAsked++, real());
  const r = await s.check(input);
  assert.equal(opsAsked, 0);
  assert.equal(r.kind === "ready" && r.fqdn, "pg-eus-r1.private.example");
  assert.ok(s.asked.some((a) => a.name === "pg-eus-r1.private.example"));
});

test("a name that cannot be resolved, or a position not reported, is waited for by name (not an error)", async () => {
  const s = setup({ replica: { inRecovery: true, lsn: null as unknown as string, replaySeconds: 0 } });
  const unresolved = makeCheckReplica(
    fakeDeps(new FakeDns({ target: "x", ttl: 30 }), s.servers, {
      resolve: async () => {
        throw new Error("queryA ENOTFOUND");
      },
      walPosition: async () => ({ inRecovery: true, lsn: null as unknown as string, replaySeconds: 0 }),
    }),
  );
  assert.deepEqual(await unresolved(input), {
    kind: "waiting",
    detail: "its name does not resolve to an A record in the zone yet; its lag cannot be measured yet",
  });
  assert.deepEqual(await s.check(input), { kind: "waiting", detail: "its lag cannot be measured yet" });
});

test("only ARM's not-found means the server is not there: any other read error is thrown (retried), not waited on", async () => {
  const { serverIfExists } = await import("../../src/activities/server-if-exists");
  const deps = (err: unknown) => ({ servers: { get: async () => Promise.reject(err) } }) as never;
  const notFound = Object.assign(new Error("ResourceNotFound"), { statusCode: 404, code: "ResourceNotFound" });
  assert.equal(await serverIfExists(deps(notFound), idOf(NEW)), null);
  const throttled = Object.assign(new Error("TooManyRequests"), { statusCode: 429, code: "TooManyRequests" });
  await assert.rejects(serverIfExists(deps(throttled), idOf(NEW)), /TooManyRequests/);
});

test("a replica ARM lists without a name is reached by its public name; its A record is the chain's link in the zone", async () => {
  const { fqdn: _none, ...nameless } = newReplica();
  const publicName = `${NEW}.postgres.database.azure.com`;
  const { check, asked } = setup({
    states: { [NEW]: nameless as ReturnType<typeof newReplica>, "pg-wus": primaryState("pg-wus") },
    chain: [publicName, `ccc.${ZONE}`],
  });
  const r = await check(input);
  assert.deepEqual(r, { kind: "ready", fqdn: publicName, aRecord: "ccc", lagBytes: 0x400 });
  assert.ok(
    asked.some((a) => a.name === publicName),
    JSON.stringify(asked),
  );
});
