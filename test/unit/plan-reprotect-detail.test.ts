// The re-protection plan in detail, as the orchestration and the approver receive it: which name the primary is
// proven writable through, why it is refused when it is not, what the old server may hold (its last lag sample),
// what is planned when the old server is gone from ARM, and each refusal's reason word for word.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePlanReprotect } from "../../src/activities/plan-reprotect";
import type { ServerState } from "../../src/domain/facts";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const network = {
  delegatedSubnetResourceId:
    "/subscriptions/x/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v-eus/subnets/pg",
  privateDnsZoneArmResourceId: "/subscriptions/x/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/z",
};
const eus: ServerState = { ...primaryState("pg-eus"), location: "eastus", network };
const wus: ServerState = { ...primaryState("pg-wus"), location: "westus" };
const input = { runId: "ab12cd34-0000", pair: "prod", region: null, name: null, retireOld: "keep" as const };
type Facts = { inRecovery: boolean; transactionReadOnly: string; wroteAndRolledBack: boolean };
const WRITES: Facts = { inRecovery: false, transactionReadOnly: "off", wroteAndRolledBack: true };

function planner(o: { states?: Record<string, ServerState>; facts?: Facts | Error; target?: string } = {}) {
  const inspected: { name: string; sslmode: string; options: unknown }[] = [];
  const probe = {
    inspect: async (name: string, _login: unknown, sslmode: string, options: unknown) => {
      inspected.push({ name, sslmode, options });
      const f = o.facts ?? WRITES;
      if (f instanceof Error) throw f;
      return f;
    },
  } as unknown as PostgresProbe;
  const deps = fakeDeps(
    new FakeDns({ target: o.target ?? WUS, ttl: 30 }),
    new FakeServers(o.states ?? { eus, wus }),
    probe,
  );
  return { plan: makePlanReprotect(deps), inspected, deps };
}

test("the primary is proven writable through its own name with verify-full and a write; the plan carries both servers' facts", async () => {
  const p = planner();
  const r = await p.plan(input);
  assert.deepEqual(p.inspected, [
    { name: "pg-wus.postgres.database.azure.com", sslmode: "verify-full", options: { write: true } },
  ]);
  assert.equal(r.kind, "planned", JSON.stringify(r));
  if (r.kind !== "planned") return;
  assert.deepEqual(r.primary, {
    resourceId: idOf("pg-wus"),
    name: "pg-wus",
    aRecord: WUS.split(".")[0],
    aRecordFqdn: WUS,
    fqdn: "pg-wus.postgres.database.azure.com",
    location: "westus",
  });
  assert.deepEqual(r.old, {
    resourceId: idOf("pg-eus"),
    name: "pg-eus",
    aRecord: EUS.split(".")[0],
    aRecordFqdn: EUS,
    state: eus,
  });
  assert.deepEqual(r.oldRisk, { bytes: null, replaySeconds: null, source: "unknown", measuredAt: null });
  assert.deepEqual(r.warnings, []);
});

test("a primary ARM reports without a name is proven through its A record", async () => {
  const { fqdn: _none, ...noName } = wus;
  const p = planner({ states: { eus, wus: noName } });
  const r = await p.plan(input);
  assert.equal(p.inspected[0]!.name, WUS);
  assert.equal(r.kind === "planned" && r.primary.fqdn, WUS);
});

test("what the old server may hold: its last lag sample while it was the primary alive, else unknown", async () => {
  const p = planner();
  const at = "2026-11-27T02:58:00.000Z";
  await p.deps.state.addSample("prod", {
    at,
    primary: "pg-eus",
    primaryAlive: true,
    bytes: 4096,
    replaySeconds: 3,
  } as never);
  await p.deps.state.addSample("prod", {
    at,
    primary: "pg-eus",
    primaryAlive: false,
    bytes: null,
    replaySeconds: null,
  } as never);
  const r = await p.plan(input);
  assert.deepEqual(r.kind === "planned" && r.oldRisk, {
    bytes: 4096,
    replaySeconds: 3,
    source: "sample",
    measuredAt: at,
  });

  const broken = planner();
  broken.deps.state.samples = async () => {
    throw new Error("table unavailable");
  };
  const unknown = await broken.plan(input);
  assert.deepEqual(
    unknown.kind === "planned" && unknown.oldRisk.source,
    "unknown",
    "a sample that cannot be read is unknown, not a failure",
  );
});

test("a primary that does not write is refused with what was seen: the error, or its recovery and read-only state", async () => {
  const reason = async (facts: Facts | Error) => {
    const r = await planner({ facts }).plan(input);
    return r.kind === "refused" ? `${r.code}: ${r.reason}` : r.kind;
  };
  const base = "PrimaryNotWritable: pg-wus, which the CNAME serves, does not accept writes: finish the failover first";
  assert.equal(
    await reason(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })),
    `${base} (ECONNREFUSED: connect ECONNREFUSED)`,
  );
  assert.equal(await reason({ ...WRITES, inRecovery: true }), `${base} (in recovery true, transaction_read_only off)`);
  assert.equal(
    await reason({ ...WRITES, transactionReadOnly: "on" }),
    `${base} (in recovery false, transaction_read_only on)`,
  );
  assert.equal(
    await reason({ ...WRITES, wroteAndRolledBack: false }),
    `${base} (in recovery false, transaction_read_only off)`,
  );
});

test("a CNAME on neither member is refused before anything is probed", async () => {
  const p = planner({ target: "elsewhere.example.com" });
  const r = await p.plan(input);
  assert.deepEqual(r, {
    kind: "refused",
    code: "CnameTargetUnknown",
    reason: `the CNAME points at "elsewhere.example.com", neither member's A record: fix the CNAME before re-protecting`,
  });
  assert.deepEqual(p.inspected, []);
});

test("an old server gone from ARM: its region must be named; then the replica is planned without a network, with a warning", async () => {
  const gone = planner({ states: { wus } });
  assert.deepEqual(await gone.plan(input), {
    kind: "refused",
    code: "RegionUnknown",
    reason: "ARM no longer has pg-eus, so its region is unknown: name the region to protect (region)",
  });
  const named = await gone.plan({ ...input, region: "centralus" });
  assert.equal(named.kind, "planned", JSON.stringify(named));
  if (named.kind !== "planned") return;
  assert.deepEqual(named.target, {
    resourceId: idOf("pg-eus-rab12cd"),
    name: "pg-eus-rab12cd",
    location: "centralus",
    network: null,
  });
  assert.equal(named.old.state, null);
  assert.deepEqual(named.warnings, [
    "pg-eus is gone from ARM: the replica is created without its network settings to copy",
  ]);
});

test("a name that is not a server name is refused with the rule", async () => {
  const r = await planner().plan({ ...input, name: "Bad_Name" });
  assert.equal(r.kind === "refused" && r.code, "InvalidName");
  assert.match(r.kind === "refused" ? r.reason : "", /^"Bad_Name" is not a server name: /);
});

test("a taken name says what holds it; an adopted replica keeps its own region", async () => {
  const other = { ...primaryState("pg-eus-2"), location: "eastus" };
  const taken = await planner({ states: { eus, wus, other } }).plan({ ...input, name: "pg-eus-2" });
  assert.equal(
    taken.kind === "refused" && taken.reason,
    "a server named pg-eus-2 exists already (Ready, role Primary): a name is never reused",
  );
  const { state: _s, role: _r, ...bare } = other;
  const unknown = await planner({ states: { eus, wus, other: bare as ServerState } }).plan({
    ...input,
    name: "pg-eus-2",
  });
  assert.equal(
    unknown.kind === "refused" && unknown.reason,
    "a server named pg-eus-2 exists already (?, role none): a name is never reused",
  );
  const mine = { ...replicaState("pg-eus-2", "pg-wus"), location: "centralus" };
  const adopted = await planner({ states: { eus, wus, mine } }).plan({ ...input, name: "pg-eus-2" });
  assert.equal(adopted.kind, "planned", JSON.stringify(adopted));
  if (adopted.kind !== "planned") return;
  assert.equal(adopted.target.location, "centralus");
  assert.deepEqual(adopted.warnings, ["pg-eus-2 exists and is a replica of pg-wus: it is adopted, not created"]);
});

test("another region than the old server's: refused with both regions when its network is a delegated subnet, planned when it is public", async () => {
  const r = await planner().plan({ ...input, region: "westus2" });
  assert.deepEqual(r, {
    kind: "refused",
    code: "NoNetworkInRegion",
    reason:
      "pg-eus's delegated subnet is in eastus, not westus2: re-protect into eastus, or create the replica by hand",
  });
  const publicOld = { ...eus, network: { publicNetworkAccess: "Enabled" } } as unknown as ServerState;
  const planned = await planner({ states: { eus: publicOld, wus } }).plan({ ...input, region: "westus2" });
  assert.equal(planned.kind === "planned" && planned.target.location, "westus2");
  const sameRegionOtherCase = await planner().plan({ ...input, region: "EastUS" });
  assert.equal(sameRegionOtherCase.kind, "planned", "regions compare whatever their case");
});

// Mutation testing (issue 23): the first configured member can be the primary too (after a failback).
test("a CNAME on the first configured member: that one is proven writable and kept, the second is replaced", async () => {
  const p = planner({ target: EUS, states: { eus, wus: { ...wus, location: "westus" } } });
  const r = await p.plan(input);
  assert.deepEqual(p.inspected, [
    { name: "pg-eus.postgres.database.azure.com", sslmode: "verify-full", options: { write: true } },
  ]);
  assert.equal(r.kind, "planned", JSON.stringify(r));
  if (r.kind !== "planned") return;
  assert.deepEqual(
    [r.primary.name, r.primary.location, r.old.name, r.target.location],
    ["pg-eus", "eastus", "pg-wus", "westus"],
  );
  const readOnly = await planner({
    target: EUS,
    facts: { inRecovery: false, transactionReadOnly: "on", wroteAndRolledBack: false },
  }).plan(input);
  assert.deepEqual(readOnly.kind === "refused" && readOnly.code, "PrimaryNotWritable");
});
