// Region evacuation through the HTTP API: every pair whose primary is in the region fails over as its own
// run (its own id, lease and audit), a pair elsewhere is left out with the reason, and one approval covers
// a forced evacuation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import type { FailoverApi } from "../../local/drill/api";
import { buildServices } from "../../src/app/services";
import { loadConfig } from "../../src/config/settings";
import { cnameRecord, resolveCname, roles, start, waitFor } from "./helpers";

interface EvacuationView {
  outcome: string;
  step: string | null;
  awaitingApproval: { pairs: { pair: string }[] } | null;
  pairs: {
    pair: string;
    id: string | null;
    outcome: string;
    code?: string;
    reason?: string;
    statusUri: string | null;
  }[];
  summary: Record<string, number> | null;
  phases: { phase: string; outcome: string; seconds: number }[] | null;
}

async function followEvacuation(api: FailoverApi, id: string, until: (v: EvacuationView) => boolean = () => false) {
  return waitFor(
    "the evacuation",
    async () => {
      const r = await api.get<EvacuationView>(`/api/evacuations/${id}`);
      return r.status === 200 || until(r.body) ? r.body : undefined;
    },
    120_000,
  );
}

test("evacuating eastus fails the lab pair over; evacuating a region with no primary changes nothing", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
  const { primary, replica } = stack.lab.info.servers;
  const none = await stack.api.post<{ id: string }>("/api/evacuations", {
    region: "westeurope",
    reason: "nothing there",
  });
  assert.equal(none.status, 202);
  const empty = await followEvacuation(stack.api, none.body.id);
  assert.equal(empty.outcome, "refused");
  assert.deepEqual(
    empty.pairs.map((p) => [p.pair, p.outcome]),
    [["lab", "skipped"]],
  );
  assert.match(empty.pairs[0]!.reason!, /primary .* is in East US/);

  const bad = await stack.api.post<{ error: { field: string } }>("/api/evacuations", {
    region: "East US",
    reason: "x y z",
  });
  assert.deepEqual([bad.status, bad.body.error.field], [400, "region"]);
  const reader = await stack.as("carol", ["Failover.Read"]);
  assert.equal((await reader.post("/api/evacuations", { region: "eastus", reason: "not allowed" })).status, 403);

  const r = await stack.api.post<{ id: string; statusUri: string }>("/api/evacuations", {
    region: primary.region,
    reason: "eastus drill",
  });
  assert.equal(r.status, 202);
  const done = await followEvacuation(stack.api, r.body.id);
  assert.equal(done.outcome, "succeeded", JSON.stringify(done));
  assert.deepEqual(done.summary, { total: 1, succeeded: 1 });
  assert.deepEqual(
    done.phases?.map((p) => [p.phase, p.outcome]),
    [
      ["plan", "ok"],
      ["failover", "ok"],
    ],
    "the evacuation's own steps, timed",
  );
  const [pair] = done.pairs;
  assert.match(pair!.id!, /^failover-lab-[0-9a-f-]{36}$/);
  const run = await stack.api.get<{ result: { outcome: string; fence: { state: string } } }>(
    `/api/failovers/${pair!.id}`,
  );
  assert.equal(run.body.result.outcome, "succeeded", "the pair's own run, at its own status URL");
  assert.equal(run.body.result.fence.state, "fenced");
  assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);
  assert.deepEqual(roles(stack).replica, { role: "Primary", state: "Ready", source: null });
  assert.equal(cnameRecord(stack).ttl, 3600);
});

test("a forced evacuation asks once for approval (the pairs' rule) and runs its pairs when a second person approves", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
  const r = await stack.api.post<{ id: string }>("/api/evacuations", {
    region: "eastus",
    option: "Forced",
    reason: "eastus is unhealthy",
  });
  const waiting = await followEvacuation(stack.api, r.body.id, (v) => v.awaitingApproval !== null);
  assert.deepEqual(
    waiting.awaitingApproval!.pairs.map((p) => p.pair),
    ["lab"],
  );
  assert.equal(
    (await stack.api.post(`/api/evacuations/${r.body.id}/approve`, { reason: "my own request" })).status,
    403,
  );
  assert.equal(
    (await stack.approver.post(`/api/evacuations/${r.body.id}/approve`, { reason: "confirmed eastus outage" })).status,
    202,
  );
  const done = await followEvacuation(stack.api, r.body.id);
  assert.equal(done.outcome, "succeeded", JSON.stringify(done));
  assert.equal((await resolveCname(stack)).target, stack.lab.info.servers.replica.aRecordFqdn);
});

test("a fleet of 4 pairs, one with its replication broken, under ARM throttling, 3 at a time: the others complete, the broken one is refused with its reason, one promote per pair", async (t) => {
  // Tight limits so that four pairs really meet 429s: 8 reads at 4/s, 4 writes at 2/s. The plan alone reads
  // the 8 servers at once and each pair's preflight reads its CNAME and servers again: the read bucket runs dry
  // at the start (2/s and 1/s refills made this test take 30 s of waits for the same proof).
  const stack = await start({
    lab: {
      pairs: 4,
      armThrottle: { reads: { bucket: 8, refillPerSecond: 4 }, writes: { bucket: 4, refillPerSecond: 2 } },
    },
  });
  t.after(() => stack.stop());
  const { lab } = stack;
  await lab.breakReplica("lab-2");
  const r = await stack.api.post<{ id: string; runId: string }>("/api/evacuations", {
    region: "eastus",
    reason: "fleet drill",
    concurrency: 3,
  });
  assert.equal(r.status, 202);
  const done = await followEvacuation(stack.api, r.body.id);
  assert.equal(done.outcome, "partial", JSON.stringify(done));
  const byPair = Object.fromEntries(done.pairs.map((p) => [p.pair, p]));
  for (const name of ["lab", "lab-1", "lab-3"])
    assert.equal(byPair[name]?.outcome, "succeeded", `${name}: ${byPair[name]?.reason}`);
  assert.deepEqual([byPair["lab-2"]?.outcome, byPair["lab-2"]?.code], ["refused", "ReplicationNotActive"]);
  assert.match(byPair["lab-2"]!.reason!, /Broken/);
  assert.deepEqual(done.summary, { total: 4, succeeded: 3, refused: 1 });
  // ARM said 429 along the way, and still each pair was promoted exactly once.
  const throttled = lab.throttleState().throttled;
  assert.ok(throttled > 0, `ARM throttled some requests (${JSON.stringify(lab.throttleState())})`);
  const patches = lab
    .requests()
    .filter((q) => q.method === "PATCH" && /flexibleservers\/[^/]+$/i.test(q.path) && q.status === 202);
  const promoted = patches.map((q) => q.path.split("/").at(-1)!.toLowerCase()).sort();
  assert.deepEqual(promoted, [...new Set(promoted)], "no server promoted twice");
  assert.equal(promoted.length, 3);
  for (const p of lab.info.pairs.filter((x) => x.name !== "lab-2")) {
    const [row] = await lab.adminQuery<{ r: boolean }>(p.servers.replica.name, "select pg_is_in_recovery() r");
    assert.equal(row!.r, false, `${p.name}'s replica was promoted`);
  }
  // The evacuation's own audit (the Table an operator queries): each pair's lease was claimed once, as a first
  // attempt — a batch's claims run at once, and one pair's claim is no retry of another's.
  const { Values } = JSON.parse(readFileSync(stack.settingsFile, "utf8")) as { Values: Record<string, string> };
  const audit = await buildServices(loadConfig(Values)).deps.journal.list(r.body.runId);
  assert.deepEqual(
    audit
      .filter((e) => e.step === "claim")
      .map((e) => `${e.pair} ${e.event} ${e.attempt} ${e.summary.split(":")[0]}`)
      .sort(),
    ["lab", "lab-1", "lab-2", "lab-3"].flatMap((p) => [`${p} started 1 claim`, `${p} succeeded 1 ${p}`]),
  );
});
