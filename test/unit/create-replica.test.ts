// Re-protection's create: ask ARM once for the new replica of the primary. A retry that finds the replica this run
// asked for reports it instead of asking twice; a server of that name that is anything else is refused NameTaken
// (names are never reused); an operation that failed at once is refused CreateFailed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeCreateReplica } from "../../src/activities/create-replica";
import { FakeDns, FakeServers, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const run = { runId: "r1", pair: "prod" };
const NEW = "pg-eus-r1";
const input = {
  ...run,
  target: { resourceId: idOf(NEW), name: NEW, location: "eastus", network: null },
  sourceServerResourceId: idOf("pg-wus"),
};

function setup(extra: Record<string, ReturnType<typeof primaryState>> = {}) {
  const servers = new FakeServers({ "pg-wus": primaryState("pg-wus"), ...extra });
  return { create: makeCreateReplica(fakeDeps(new FakeDns({ target: "x", ttl: 30 }), servers)), servers };
}

test("asks ARM for exactly the replica planned (name, region, source, network) and returns its operation", async () => {
  const { create, servers } = setup();
  assert.deepEqual(await create(input), {
    kind: "started",
    operationUrl: "https://management.azure.com/operations/2",
    firstPoll: { status: "InProgress" },
  });
  assert.deepEqual(servers.creates, [
    { resourceId: idOf(NEW), location: "eastus", sourceServerResourceId: idOf("pg-wus"), network: null },
  ]);
});

test("a retry that finds the replica it asked for (any case of the source's id) reports it and asks nothing", async () => {
  const mine = { ...replicaState(NEW, "pg-wus"), state: "Provisioning" };
  mine.sourceServerResourceId = mine.sourceServerResourceId!.toUpperCase();
  const { create, servers } = setup({ [NEW]: mine });
  assert.deepEqual(await create(input), { kind: "exists" });
  assert.deepEqual(servers.creates, []);
});

test("a server of that name that is not a replica of the primary is refused NameTaken, naming its role", async () => {
  const { create, servers } = setup({ [NEW]: primaryState(NEW) });
  assert.deepEqual(await create(input), {
    kind: "refused",
    code: "NameTaken",
    reason: `${NEW} exists and is not a replica of the primary (role Primary)`,
  });
  const other = setup({ [NEW]: replicaState(NEW, "pg-other") });
  assert.equal((await other.create(input)).kind, "refused", "a replica of another server is not ours either");
  assert.deepEqual([servers.creates, other.servers.creates], [[], []]);
});

test("an operation that failed at its first answer is refused CreateFailed with ARM's error", async () => {
  const { create, servers } = setup();
  servers.startCreateReplica = async (r) => {
    servers.creates.push(r);
    return {
      operationUrl: "https://management.azure.com/operations/2",
      firstPoll: { status: "Failed", error: "QuotaExceeded" },
    };
  };
  assert.deepEqual(await create(input), { kind: "refused", code: "CreateFailed", reason: "ARM: QuotaExceeded" });
  servers.startCreateReplica = async () => ({ operationUrl: null, firstPoll: { status: "Canceled" } });
  assert.deepEqual(await create(input), { kind: "refused", code: "CreateFailed", reason: "ARM: Canceled" });
});
