// The promote step (makePromote): when it PATCHes, when it waits for a retry, when it refuses, and what it says
// about an operation that failed. A promote started twice, or against a busy server, is what Azure refuses or
// what splits a pair: each case checks whether the PATCH was sent.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePromote } from "../../src/activities/promote";
import type { PromoteInput } from "../../src/activities/contracts";
import type { ServerFacts } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const wus = { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "x", aRecordFqdn: WUS };
const eus = { resourceId: idOf("pg-eus"), name: "pg-eus", aRecord: "y", aRecordFqdn: EUS };
const args = (o: Partial<PromoteInput> = {}): PromoteInput => ({
  runId: "r1",
  pair: "prod",
  server: wus,
  option: "Forced",
  ...o,
});

function setup(replica = replicaState(), inspect?: (name: string) => Promise<Partial<ServerFacts>>) {
  const servers = new FakeServers({ eus: primaryState(), wus: replica });
  const inspected: string[] = [];
  const probe = {
    inspect: async (name: string) => {
      inspected.push(name);
      if (!inspect) throw new Error("no probe in this test");
      return (await inspect(name)) as ServerFacts;
    },
  };
  const promote = makePromote(fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers, probe));
  return { servers, promote, inspected };
}

test("a replica whose replication is already reconfiguring, updating or catching up: in progress, no second PATCH", async () => {
  for (const replicationState of ["Reconfiguring", "UPDATING", "catchup"]) {
    const { servers, promote } = setup({ ...replicaState(), replicationState });
    const r = await promote(args());
    assert.equal(r.kind, "inProgress", replicationState);
    assert.deepEqual(servers.promotes, [], `${replicationState}: not promoted again`);
  }
});

test("a server that is neither a replica nor standalone is refused NotAReplica, naming its role; nothing is sent", async () => {
  const { servers, promote } = setup({ ...replicaState(), role: "Secondary" });
  const r = await promote(args());
  assert.deepEqual(r.kind === "refused" && [r.code, r.reason], [
    "NotAReplica",
    "pg-wus has role Secondary; only a replica can be promoted",
  ]);
  const noRole = setup({ ...replicaState(), role: undefined });
  const r2 = await noRole.promote(args());
  assert.equal(r2.kind === "refused" && r2.reason, "pg-wus has role unknown; only a replica can be promoted");
  assert.deepEqual([...servers.promotes, ...noRole.servers.promotes], []);
});

test("a replica that is not Ready (starting, stopped) is a transient wait: thrown for the retry, nothing sent", async () => {
  for (const state of ["Starting", "Stopped"]) {
    const { servers, promote } = setup({ ...replicaState(), state });
    await assert.rejects(promote(args()), new RegExp(`^Error: pg-wus is ${state}: waiting for it to be Ready$`));
    assert.deepEqual(servers.promotes, []);
  }
});

test("a planned promote waits for its source to be Ready; a forced one does not look at it", async () => {
  const { servers, promote } = setup();
  servers.states.eus!.state = "Updating";
  await assert.rejects(
    promote(args({ option: "Planned", source: eus })),
    /^Error: pg-eus \(the source\) is Updating: a planned promote waits for it to be Ready$/,
  );
  assert.deepEqual(servers.promotes, [], "planned: not sent while the source is busy");
  const forced = await promote(args({ option: "Forced", source: eus }));
  assert.equal(forced.kind, "started");
  assert.deepEqual(servers.promotes, [wus.resourceId]);
  const planned = setup();
  assert.equal((await planned.promote(args({ option: "Planned", source: eus }))).kind, "started");
});

test("a first poll that failed, with the replica still in recovery: refused PromoteFailed (nothing was promoted)", async () => {
  for (const operation of [{ status: "Failed" as const, error: "ServerBusy" }, { status: "Canceled" as const }]) {
    const { servers, promote, inspected } = setup(replicaState(), async () => ({ inRecovery: true }));
    servers.operation = operation;
    const r = await promote(args());
    const why = operation.error ?? operation.status;
    assert.deepEqual(r.kind === "refused" && [r.code, r.reason], [
      "PromoteFailed",
      `ARM accepted the promote of pg-wus, then its operation failed (${why}); pg-wus is still a replica, nothing was promoted`,
    ]);
    assert.deepEqual(inspected, ["pg-wus.postgres.database.azure.com"], "asked the replica's own name");
  }
});

test("a first poll that failed while the replica is writable, or unreadable: started (the promote may be under way), said in the note", async () => {
  const writable = setup(replicaState(), async () => ({ inRecovery: false }));
  writable.servers.operation = { status: "Failed", error: "ServerBusy" };
  const r = await writable.promote(args());
  assert.equal(r.kind, "started");
  assert.equal(r.kind === "started" && r.note, "ARM accepted the promote; its first poll said Failed: ServerBusy");
  const unreadable = setup(replicaState(), async () => {
    throw new Error("timeout");
  });
  unreadable.servers.operation = { status: "Canceled" };
  const u = await unreadable.promote(args());
  assert.deepEqual(u.kind === "started" && [u.note, u.operationUrl], [
    "ARM accepted the promote; its first poll said Canceled",
    "https://management.azure.com/operations/1",
  ]);
});

test("the probe asks the server's own name from the input first, else ARM's, else its A record", async () => {
  const named = setup(replicaState(), async () => ({ inRecovery: true }));
  named.servers.operation = { status: "Failed" };
  await named.promote(args({ server: { ...wus, fqdn: "given.example.com" } }));
  const fromArm = setup(replicaState(), async () => ({ inRecovery: true }));
  fromArm.servers.operation = { status: "Failed" };
  await fromArm.promote(args());
  const noName = setup({ ...replicaState(), fqdn: undefined }, async () => ({ inRecovery: true }));
  noName.servers.operation = { status: "Failed" };
  await noName.promote(args());
  assert.deepEqual(
    [named.inspected, fromArm.inspected, noName.inspected],
    [["given.example.com"], ["pg-wus.postgres.database.azure.com"], [WUS]],
  );
});

test("started: the server as ARM shows it after the PATCH, the operation to poll; notes only when the first poll was not InProgress", async () => {
  const { servers, promote } = setup();
  const r = await promote(args());
  assert.equal(r.kind, "started");
  assert.equal(r.kind === "started" && r.state.state, "Updating", "read again after the PATCH");
  assert.equal(r.kind === "started" && r.operationUrl, "https://management.azure.com/operations/1");
  assert.equal(r.kind, "started"); // the next line alone would pass for any other kind
  assert.equal(r.kind === "started" && "note" in r, false, "an InProgress first poll needs no note");
  assert.deepEqual(servers.promotes, [wus.resourceId]);

  const done = setup();
  done.servers.operation = { status: "Succeeded" };
  const d = await done.promote(args());
  assert.equal(d.kind === "started" && d.note, "ARM accepted the promote; its first poll said Succeeded");

  // The first poll itself failed: said, and the promote is still reported started.
  const pollFailed = setup();
  pollFailed.servers.startPromote = async () => ({ operationUrl: null, firstPoll: null, pollError: "ECONNRESET" });
  const p = await pollFailed.promote(args());
  assert.deepEqual(p.kind === "started" && [p.note, "operationUrl" in p], [
    "ARM accepted the promote; its first poll failed (ECONNRESET)",
    false,
  ]);

  // A re-read that fails after the PATCH: the state read before it, still started.
  const reread = setup();
  let reads = 0;
  const get = reread.servers.get.bind(reread.servers);
  reread.servers.get = async (id: string) => {
    if (++reads > 1) throw new Error("ARM read failed");
    return get(id);
  };
  const s = await reread.promote(args());
  assert.deepEqual(s.kind === "started" && [s.state.name, s.state.state], ["pg-wus", "Ready"]);
});
