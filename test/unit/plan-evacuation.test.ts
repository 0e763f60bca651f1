// An evacuation's plan (makePlanEvacuation): which pairs fail over — only those whose current primary (the server
// the CNAME serves) is in the region — and why each other one is left out; what the approver will be shown.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makePlanEvacuation, regionKey } from "../../src/activities/plan-evacuation";
import type { PlanEvacuationInput, PlannedPair } from "../../src/activities/contracts";
import type { LagSample } from "../../src/domain/lag";
import { EUS, FakeDns, FakeServers, WUS, fakeDeps, primaryState, replicaState } from "./fixtures";

const input = (o: Partial<PlanEvacuationInput> = {}): PlanEvacuationInput => ({
  runId: "e1",
  pair: "evacuation:eastus",
  region: "eastus",
  option: "Forced",
  pairs: null,
  ...o,
});

function setup(target = EUS, names = ["prod"]) {
  const dns = new FakeDns({ target, ttl: 30 });
  const servers = new FakeServers({
    eus: { ...primaryState(), location: "East US" },
    wus: { ...replicaState(), location: "West US 2" },
  });
  const deps = fakeDeps(dns, servers);
  const plan = makePlanEvacuation(deps, () => names);
  const planned = async (i: PlanEvacuationInput): Promise<PlannedPair[]> => {
    const r = await plan(i);
    assert.ok(r.kind === "planned", JSON.stringify(r));
    return r.plan;
  };
  return { deps, servers, plan, planned };
}

const sample = (o: Partial<LagSample>): LagSample => ({
  at: "2026-11-27T02:59:00.000Z",
  primary: "pg-eus",
  replica: "pg-wus",
  bytes: 100,
  replaySeconds: 1,
  primaryAlive: true,
  ...o,
});

test("regions compare as people and ARM write them: 'East US' is eastus", () => {
  assert.equal(regionKey("East US 2"), "eastus2");
  assert.equal(regionKey("EASTUS"), "eastus");
  assert.equal(regionKey(undefined), "");
});

test("a pair whose primary is in the region is included, with the data at risk of the last sample taken while it lived", async () => {
  const { deps, planned } = setup();
  await deps.state.addSample("prod", sample({ bytes: 4096, replaySeconds: 3, at: "2026-11-27T02:58:00.000Z" }));
  // Later samples that do not count: the primary not alive, or another server as primary.
  await deps.state.addSample("prod", sample({ bytes: null, primaryAlive: false }));
  await deps.state.addSample("prod", sample({ primary: "pg-wus", bytes: 9 }));
  const [p] = await planned(input({ region: "East US" }));
  assert.deepEqual(
    [p!.pair, p!.included, p!.reason, p!.primary, p!.region],
    ["prod", true, "its primary pg-eus is in East US", "pg-eus", "East US"],
  );
  assert.deepEqual(p!.risk, {
    bytes: 4096,
    replaySeconds: 3,
    source: "sample",
    measuredAt: "2026-11-27T02:58:00.000Z",
  });
  assert.ok(p!.policy, "the pair's policy travels with it to its failover");
});

test("a pair whose primary is elsewhere (or in no known region) is left out, saying where", async () => {
  const { servers, planned } = setup(WUS);
  const [p] = await planned(input());
  assert.deepEqual(
    [p!.included, p!.reason, p!.primary, p!.region],
    [false, "its primary pg-wus is in West US 2", "pg-wus", "West US 2"],
  );
  delete servers.states.wus!.location;
  const [q] = await planned(input());
  assert.deepEqual([q!.included, q!.reason, q!.region], [false, "its primary pg-wus is in an unknown region", null]);
});

test("a CNAME at neither server, or a pair that cannot be read: left out with the reason, nothing assumed", async () => {
  const { planned } = setup("someone-else.example.com");
  const [p] = await planned(input());
  assert.deepEqual(p, {
    pair: "prod",
    primary: null,
    region: null,
    policy: null,
    needsApproval: false,
    risk: null,
    included: false,
    reason: "its CNAME points at someone-else.example.com, neither server",
  });
  const broken = setup(EUS, ["prod", "gone"]);
  const plan = await broken.planned(input({ pairs: ["gone"] }));
  assert.equal(plan.length, 1);
  assert.deepEqual([plan[0]!.pair, plan[0]!.included, plan[0]!.needsApproval], ["gone", false, false]);
  assert.match(plan[0]!.reason, /^could not be read: .*unknown pair gone/);
});

test("pairs named that are not configured: refused PairNotFound naming them; none named: every configured pair", async () => {
  const { plan, planned } = setup(EUS, ["prod"]);
  const r = await plan(input({ pairs: ["prod", "nope", "also-nope"] }));
  assert.deepEqual(r.kind === "refused" && [r.code, r.reason], ["PairNotFound", "not configured: nope, also-nope"]);
  assert.deepEqual(
    (await planned(input({ pairs: null }))).map((p) => p.pair),
    ["prod"],
  );
  assert.deepEqual(
    (await planned(input({ pairs: [] }))).map((p) => p.pair),
    [],
    "an empty list plans nothing (the orchestration refuses it)",
  );
});

test("needsApproval follows the pair's rule for the option; no lag sample (or none readable) is an unknown risk", async () => {
  const { deps, planned } = setup();
  const [forced] = await planned(input({ option: "Forced" }));
  const [plannedRun] = await planned(input({ option: "Planned" }));
  // The default rule ("forced"): a forced evacuation asks a person, a planned one does not.
  assert.equal(forced!.policy!.approval.mode, "forced");
  assert.deepEqual([forced!.needsApproval, plannedRun!.needsApproval], [true, false]);
  assert.equal(forced!.risk, null);
  deps.state.samples = async () => {
    throw new Error("table down");
  };
  const [p] = await planned(input());
  assert.deepEqual([p!.included, p!.risk], [true, null]);
});
