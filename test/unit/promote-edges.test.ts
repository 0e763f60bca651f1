// The promote's edges: a server already standalone but not yet Ready is a promote still under way (never "already
// promoted"), the look after a failed first poll is a verify-full login, and every note ARM's answers earned is kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePromote } from "../../src/activities/promote";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const wus = { resourceId: idOf("pg-wus"), name: "pg-wus", aRecord: "x", aRecordFqdn: WUS };
const args = { runId: "r1", pair: "prod", server: wus, option: "Forced" as const };

test("a standalone server that is not Ready yet is a promote in progress, and nothing is sent", async () => {
  const servers = new FakeServers({ eus: primaryState(), wus: { ...primaryState("pg-wus"), state: "Updating" } });
  const r = await makePromote(fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers))(args);
  assert.equal(r.kind, "inProgress");
  assert.deepEqual(servers.promotes, []);
});

test("after a failed first poll the replica is looked at with verify-full; a failed poll and its answer are both noted", async () => {
  const servers = new FakeServers({ eus: primaryState(), wus: replicaState() });
  servers.startPromote = async (id) => {
    servers.promotes.push(id);
    return {
      operationUrl: "https://management.azure.com/operations/1",
      firstPoll: { status: "Failed", error: "ServerBusy" },
      pollError: "ECONNRESET",
    };
  };
  const asked: string[] = [];
  const probe = {
    inspect: async (_name: string, _login: unknown, sslmode: string) => {
      asked.push(sslmode);
      return { inRecovery: false, transactionReadOnly: "off" };
    },
  };
  const r = await makePromote(fakeDeps(new FakeDns({ target: EUS, ttl: 30 }), servers, probe as never))(args);
  assert.deepEqual(asked, ["verify-full"]);
  assert.equal(
    r.kind === "started" && r.note,
    "ARM accepted the promote; its first poll failed (ECONNRESET); its first poll said Failed: ServerBusy",
  );
});
