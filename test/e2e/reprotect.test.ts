// Re-protection end to end on the lab, through the app's HTTP API: after a failover the pair gets a replica again
// (a real streaming replica the lab's ARM creates), it joins the pair without a redeploy, the next failover plans
// a promote of it — and a failback to the original region works the same way. Also: one run per pair (409), a
// host killed mid-create resumes with one server created, and a delete waits for a second person.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REPROTECT_ROLE_FILE } from "../../local/lab/arm/rbac";
import type { ReprotectOutput } from "../../src/orchestrations/reprotect-types";
import { failover, start, type Stack } from "./helpers";
import { LAB_TEST } from "../lab/timeouts";

interface ReprotectView {
  id: string;
  outcome: string;
  step: string | null;
  awaitingApproval: { twoPerson: boolean; oldRisk: unknown; retireOld: string } | null;
  result: ReprotectOutput | null;
  timeline: { step: string; event: string; summary: string }[];
}

let stack: Stack;

before(async () => {
  stack = await start({ lab: { reprotectRole: REPROTECT_ROLE_FILE } });
}, LAB_TEST);
after(async () => stack?.stop(), LAB_TEST);

async function requestReprotect(body: Record<string, unknown>) {
  return stack.api.post<{ id: string; statusUri: string; error?: { code: string } }>(
    `/api/pairs/${stack.pair}/reprotect`,
    { reason: "end-to-end: protect the pair again", ...body },
  );
}

async function followReprotect(id: string, onApproval?: (v: ReprotectView) => Promise<void>): Promise<ReprotectView> {
  const deadline = Date.now() + 120_000;
  let asked = false;
  for (;;) {
    const r = await stack.api.get<ReprotectView>(`/api/reprotects/${encodeURIComponent(id)}`);
    assert.ok(r.status === 200 || r.status === 202, JSON.stringify(r.body));
    if (r.status === 200) return r.body;
    if (r.body.awaitingApproval && onApproval && !asked) {
      asked = true;
      await onApproval(r.body);
    }
    if (Date.now() > deadline) throw new Error(`re-protection ${id} still at ${r.body.step}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const pairView = async () => {
  const r = await stack.api.get<{ pairs: { name: string; membership?: { source: string }; servers: unknown }[] }>(
    "/api/pairs",
  );
  return r.body.pairs.find((p) => p.name === stack.pair)!;
};

describe("re-protection: the pair ends protected", LAB_TEST, () => {
  test("after a failover: a new replica in the old region joins, the next failover plans it, and a failback returns", async () => {
    const { primary, replica } = stack.lab.info.servers;
    const first = await failover(stack, { option: "Planned" });
    assert.equal(first.out.outcome, "succeeded", JSON.stringify(first.out));

    // Without a replica, a failover is refused; a re-protection gives it one.
    const start1 = await requestReprotect({});
    assert.equal(start1.status, 202, JSON.stringify(start1.body));
    // One run per pair: neither a failover nor another re-protection starts meanwhile.
    const busy = await stack.api.post<{ error: { code: string } }>("/api/failovers", {
      pair: stack.pair,
      reason: "while re-protecting",
    });
    assert.equal(busy.status, 409, JSON.stringify(busy.body));
    const again = await requestReprotect({});
    assert.equal(again.status, 409);
    assert.equal(again.body.error?.code, "RunInProgress");

    const done = await followReprotect(start1.body.id);
    const r = done.result!;
    assert.equal(r.outcome, "succeeded", JSON.stringify(r));
    assert.equal(r.primary, replica.name);
    assert.equal(r.replica?.joined, true);
    assert.equal(r.replica?.location, primary.location, "the old primary's region");
    assert.equal(r.nextFailover?.outcome, "dryRun");
    assert.equal(r.nextFailover?.from, replica.name);
    assert.equal(r.nextFailover?.to, r.replica!.name);
    assert.deepEqual(
      r.phases.map((p) => p.phase),
      ["plan", "create", "replicate", "join", "dryRun"],
    );
    const created = stack.lab.allServers().find((s) => s.info.name === r.replica!.name)!;
    assert.equal(created.source, replica.name, "the lab's new server streams from the new primary");
    assert.equal(created.info.region, primary.region);
    const pair = await pairView();
    assert.equal(pair.membership?.source, "stored");
    assert.ok(JSON.stringify(pair.servers).includes(r.replica!.name), JSON.stringify(pair.servers));
    assert.ok(
      done.timeline.some((e) => e.step === "membership" && /by alice/i.test(e.summary)),
      `the membership change is audited with who: ${JSON.stringify(done.timeline.map((e) => [e.step, e.event, e.summary]))}`,
    );

    // Protected: another re-protection has nothing to do.
    const nothing = await requestReprotect({});
    const refused = await followReprotect(nothing.body.id);
    assert.equal(refused.result?.code, "AlreadyProtected");

    // Failback: a planned failover to the new replica, in the original region.
    const back = await failover(stack, { option: "Planned", reason: "fail back" });
    assert.equal(back.out.outcome, "succeeded", JSON.stringify(back.out));
    assert.equal(back.out.to, r.replica!.name);
    const [row] = await stack.lab.adminQuery<{ r: boolean }>(r.replica!.name, "select pg_is_in_recovery() r");
    assert.equal(row?.r, false, "the original region's new server is the primary");
  });

  test("a delete of the old server waits for a second person, who sees its data at risk; then it is gone", async () => {
    // The pair now: the original region's new server is primary, the failed-back-from one is the old server.
    const start2 = await requestReprotect({ retireOld: "delete" });
    assert.equal(start2.status, 202, JSON.stringify(start2.body));
    let sawRisk = false;
    const done = await followReprotect(start2.body.id, async (v) => {
      assert.equal(v.awaitingApproval?.twoPerson, true, "a delete is always two-person");
      sawRisk = v.awaitingApproval?.oldRisk !== undefined;
      const self = await stack.api.post(`/api/reprotects/${encodeURIComponent(v.id)}/approve`, { reason: "me" });
      assert.equal(self.status, 403, "the requester cannot approve their own delete");
      const ok = await stack.approver.post(`/api/reprotects/${encodeURIComponent(v.id)}/approve`, {
        reason: "the old region's server holds nothing we need",
      });
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
    });
    const r = done.result!;
    assert.ok(sawRisk);
    assert.equal(r.outcome, "succeeded", JSON.stringify(r));
    assert.equal(r.approval?.by?.name, "Bob");
    assert.equal(r.old?.retired, "delete");
    assert.ok(!stack.lab.allServers().some((s) => s.info.name === r.old!.name), "the old server is deleted");
    const next = await failover(stack, { dryRun: true });
    assert.equal(next.out.outcome, "dryRun");
    assert.equal(next.out.to, r.replica!.name);
  });

  test("a host killed while ARM creates the replica resumes: one server created, the run succeeds", async () => {
    const first = await failover(stack, { option: "Planned" });
    assert.equal(first.out.outcome, "succeeded");
    const before = stack.lab.allServers().length;
    const hold = stack.lab.faults.add({ kind: "hold", operation: "create" });
    const started = await requestReprotect({ retireOld: "stop" });
    assert.equal(started.status, 202);
    for (let i = 0; i < 200 && !stack.lab.allServers().some((s) => s.state === "Provisioning"); i++)
      await new Promise((res) => setTimeout(res, 50));
    assert.ok(
      stack.lab.allServers().some((s) => s.state === "Provisioning"),
      "ARM is creating it",
    );
    await stack.restartHost();
    stack.lab.faults.clear(hold.id);
    const done = await followReprotect(started.body.id);
    assert.equal(done.result?.outcome, "succeeded", JSON.stringify(done.result));
    assert.equal(done.result?.old?.retired, "stop");
    assert.equal(stack.lab.allServers().length, before + 1, "exactly one server was created");
  });
});
