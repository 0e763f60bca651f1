// The writable watch as the orchestration receives it: the data plane decides (writable ends the watch at once),
// a failed operation with the replica still in recovery ends it too, ARM is read once per few seconds beside a
// data plane looked at every 100 ms, and the detail line says what each side said.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeCheckPromotion } from "../../src/activities/check-promotion";
import type { ServerState } from "../../src/domain/facts";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const server = {
  resourceId: idOf("pg-wus"),
  name: "pg-wus",
  aRecord: "0a1b2c3d4e5f",
  aRecordFqdn: WUS,
  fqdn: "pg-wus.example",
};
type Plane = { inRecovery: boolean; transactionReadOnly: string } | Error;

function world(o: {
  arm?: ServerState | Error;
  plane: Plane;
  operation?: { status: "InProgress" | "Failed" | "Succeeded"; error?: string };
}) {
  const servers = new FakeServers(o.arm instanceof Error || !o.arm ? {} : { wus: o.arm });
  let armReads = 0;
  const get = servers.get.bind(servers);
  servers.get = async (id) => {
    armReads++;
    if (o.arm instanceof Error) throw o.arm;
    return get(id);
  };
  if (o.operation) servers.operation = o.operation;
  let looks = 0;
  const probe = {
    inspect: async (name: string, _l: unknown, sslmode: string) => {
      looks++;
      assert.deepEqual([name, sslmode], ["pg-wus.example", "verify-full"]);
      if (o.plane instanceof Error) throw o.plane;
      return { ...o.plane, address: "10.1.0.4" };
    },
  } as unknown as PostgresProbe;
  const check = makeCheckPromotion(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), servers, probe));
  return { check, armReads: () => armReads, looks: () => looks };
}
const run = { runId: "r", pair: "prod", server, poll: 1 };

test("writable by its own name: the watch ends at the first look, with what ARM and the operation said", async () => {
  const w = world({
    arm: { ...primaryState("pg-wus"), state: "Updating" },
    plane: { inRecovery: false, transactionReadOnly: "off" },
    operation: { status: "InProgress" },
  });
  const r = await w.check({ ...run, watchSeconds: 30, operationUrl: "https://management.azure.com/op/1" });
  assert.deepEqual(r, {
    kind: "checked",
    progress: "writable",
    state: { ...primaryState("pg-wus"), state: "Updating" },
    inRecovery: false,
    operation: { status: "InProgress" },
    detail:
      "pg-wus.example (10.1.0.4): in recovery false, transaction_read_only off; ARM: state Updating, role Primary; operation InProgress",
  });
  assert.equal(w.looks(), 1);
});

test("an operation that failed while the replica is still in recovery ends the watch at once: failed, with Azure's error", async () => {
  const w = world({
    arm: replicaState("pg-wus", "pg-eus"),
    plane: { inRecovery: true, transactionReadOnly: "on" },
    operation: { status: "Failed", error: "InternalServerError" },
  });
  const r = await w.check({ ...run, watchSeconds: 30, operationUrl: "https://management.azure.com/op/1" });
  assert.equal(r.kind === "checked" && r.progress, "failed");
  assert.equal(w.looks(), 1);
  assert.equal(
    r.kind === "checked" && r.detail,
    "pg-wus.example (10.1.0.4): in recovery true, transaction_read_only on; ARM: state Ready, role GeoAsyncReplica, replication Active, still has a source server; operation Failed (InternalServerError)",
  );
});

test("a replica that is not promoting is watched for the whole window, ARM read once, and said to be still a replica", async () => {
  const w = world({ arm: replicaState("pg-wus", "pg-eus"), plane: { inRecovery: true, transactionReadOnly: "on" } });
  const r = await w.check({ ...run, watchSeconds: 0.5 });
  assert.equal(r.kind === "checked" && r.progress, "notStarted");
  assert.ok(w.looks() >= 3, `the data plane was looked at ${w.looks()} times`);
  assert.equal(w.armReads(), 1, "ARM once per 5 s");
  assert.match(
    r.kind === "checked" ? r.detail : "",
    /^pg-wus is still a replica and not promoting \(pg-wus\.example \(10\.1\.0\.4\): in recovery true/,
  );
});

test("a server that does not answer and an ARM read that fails: both said, the state named from the run's own reference", async () => {
  const w = world({
    arm: Object.assign(new Error("Forbidden"), { code: "AuthorizationFailed" }),
    plane: Object.assign(new Error("connect ECONNREFUSED 10.1.0.4:5432"), { code: "ECONNREFUSED" }),
  });
  const r = await w.check({ ...run, watchSeconds: 0 });
  assert.deepEqual(r, {
    kind: "checked",
    progress: "promoting",
    state: { resourceId: idOf("pg-wus"), name: "pg-wus" },
    inRecovery: null,
    operation: null,
    detail:
      "pg-wus.example is not answering (ECONNREFUSED: connect ECONNREFUSED 10.1.0.4:5432); ARM: AuthorizationFailed: Forbidden",
  });
});
