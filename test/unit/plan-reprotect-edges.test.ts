// The re-protection plan when ARM knows less than usual: a primary on the first member whose ARM entry carries no
// name is proven through its A record; a primary ARM no longer lists (proven writable by its A record) is planned
// with its region unknown; an old server with no network settings at all is planned into another region.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePlanReprotect } from "../../src/activities/plan-reprotect";
import type { ServerState } from "../../src/domain/facts";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, primaryState } from "./fixtures";

const input = { runId: "ab12cd34-0000", pair: "prod", region: null, name: null, retireOld: "keep" as const };

function planner(target: string, states: Record<string, ServerState>) {
  const inspected: string[] = [];
  const probe = {
    inspect: async (name: string) => {
      inspected.push(name);
      return { inRecovery: false, transactionReadOnly: "off", wroteAndRolledBack: true };
    },
  } as unknown as PostgresProbe;
  const plan = makePlanReprotect(fakeDeps(new FakeDns({ target, ttl: 30 }), new FakeServers(states), probe));
  return { plan, inspected };
}

test("a primary on the first member whose ARM entry has no name is proven through its A record", async () => {
  const { fqdn: _none, ...eus } = { ...primaryState("pg-eus"), location: "eastus" };
  const wus = { ...primaryState("pg-wus"), location: "westus" };
  const p = planner(EUS, { eus, wus });
  const r = await p.plan(input);
  assert.deepEqual(p.inspected, [EUS]);
  assert.equal(r.kind === "planned" && r.primary.fqdn, EUS, JSON.stringify(r));
});

test("a primary ARM no longer lists, writable through its A record, is planned with its region unknown", async () => {
  const eus = { ...primaryState("pg-eus"), location: "eastus" };
  const r = await planner(WUS, { eus }).plan(input);
  assert.equal(r.kind, "planned", JSON.stringify(r));
  assert.deepEqual(r.kind === "planned" && [r.primary.fqdn, r.primary.location], [WUS, null]);
});

test("an old server without network settings is planned into another region, with no network to copy", async () => {
  const { network: _n, ...eus } = { ...primaryState("pg-eus"), location: "eastus" };
  const wus = { ...primaryState("pg-wus"), location: "westus" };
  const r = await planner(WUS, { eus, wus }).plan({ ...input, region: "westus2" });
  assert.equal(r.kind, "planned", JSON.stringify(r));
  assert.deepEqual(r.kind === "planned" && [r.target.location, r.target.network], ["westus2", null]);
});

test("an old server ARM lists without a region: the region named is used", async () => {
  const { location: _l, ...eus } = primaryState("pg-eus");
  const wus = { ...primaryState("pg-wus"), location: "westus" };
  const r = await planner(WUS, { eus, wus }).plan({ ...input, region: "eastus" });
  assert.equal(r.kind, "planned", JSON.stringify(r));
  assert.equal(r.kind === "planned" && r.target.location, "eastus");
});
