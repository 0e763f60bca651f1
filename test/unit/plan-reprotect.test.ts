// The re-protection's plan (src/activities/plan-reprotect.ts) over small fakes: after a failover (the CNAME serves
// the promoted pg-wus, pg-eus is standalone and fenced) it plans a replica in pg-eus's region on its network; it
// adopts a replica of the primary that already has the name asked, refuses any other server of that name, and
// refuses a pair that is protected or a primary that does not write.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePlanReprotect } from "../../src/activities/plan-reprotect";
import type { ServerState } from "../../src/domain/facts";
import { FakeDns, FakeServers, fakeDeps, idOf, primaryState, replicaState, WUS } from "./fixtures";

const network = {
  delegatedSubnetResourceId:
    "/subscriptions/x/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v-eus/subnets/pg",
  privateDnsZoneArmResourceId: "/subscriptions/x/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/z",
};
const afterFailover = (extra: Record<string, ServerState> = {}) =>
  new FakeServers({
    eus: { ...primaryState("pg-eus"), location: "eastus", network },
    wus: { ...primaryState("pg-wus"), location: "westus" },
    ...extra,
  });
const writable = {
  inspect: async () => ({ inRecovery: false, transactionReadOnly: "off", wroteAndRolledBack: true }) as never,
};
const input = { runId: "ab12cd34-0000", pair: "prod", region: null, name: null, retireOld: "keep" as const };

test("plans a replica of the CNAME's primary in the old server's region, on its network", async () => {
  const plan = await makePlanReprotect(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), afterFailover(), writable))(
    input,
  );
  assert.equal(plan.kind, "planned", JSON.stringify(plan));
  if (plan.kind !== "planned") return;
  assert.equal(plan.primary.name, "pg-wus");
  assert.equal(plan.old.name, "pg-eus");
  assert.deepEqual(plan.target, {
    resourceId: idOf("pg-eus-rab12cd"),
    name: "pg-eus-rab12cd",
    location: "eastus",
    network,
  });
});

test("a replica of the primary under the name asked is adopted; any other server of that name is refused", async () => {
  const mine = { ...replicaState("pg-eus-2", "pg-wus"), location: "eastus" };
  const adopted = await makePlanReprotect(
    fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), afterFailover({ mine }), writable),
  )({ ...input, name: "pg-eus-2" });
  assert.equal(adopted.kind, "planned", JSON.stringify(adopted));
  assert.ok(adopted.kind === "planned" && adopted.warnings.some((w) => w.includes("adopted")));
  const other = { ...primaryState("pg-eus-2"), location: "eastus" };
  const taken = await makePlanReprotect(
    fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), afterFailover({ other }), writable),
  )({ ...input, name: "pg-eus-2" });
  assert.equal(taken.kind === "refused" && taken.code, "NameTaken");
});

test("refused: already protected, a primary that does not write, a region the old server's subnet is not in", async () => {
  const code = async (servers: FakeServers, probe = writable, over = {}) => {
    const r = await makePlanReprotect(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), servers, probe))({
      ...input,
      ...over,
    });
    return r.kind === "refused" ? r.code : r.kind;
  };
  const protectedPair = new FakeServers({
    eus: { ...replicaState("pg-eus", "pg-wus"), location: "eastus" },
    wus: { ...primaryState("pg-wus"), location: "westus" },
  });
  assert.equal(await code(protectedPair), "AlreadyProtected");
  const readOnly = {
    inspect: async () => ({ inRecovery: false, transactionReadOnly: "on", wroteAndRolledBack: false }) as never,
  };
  assert.equal(await code(afterFailover(), readOnly), "PrimaryNotWritable");
  assert.equal(await code(afterFailover(), writable, { region: "westus" }), "NoNetworkInRegion");
});
