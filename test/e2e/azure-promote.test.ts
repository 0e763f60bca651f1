// The promote as Azure documents it, not as the lab once assumed: the replica stays Ready while its
// replicationState moves Reconfiguring → Updating → Catchup (only the primary shows Updating), the promote is
// an LRO whose status says InProgress or Failed, and overlapping operations are refused "busy, try again
// later". Each test failed on the app before it tracked the operation and retried busy answers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cnameRecord, failover, inRecovery, resolveCname, start } from "./helpers";

// Each test starts its own stack and mostly waits on it: run side by side.
describe("promotes as Azure answers them", { concurrency: true }, () => {
  test("a promote Azure is still doing (replica Ready, Reconfiguring for several polls) is followed to the end", async (t) => {
    // Before: three polls of a Ready replica ended the run PromoteDidNotTakeEffect while Azure was promoting.
    const stack = await start({ lab: { promoteDelayMs: 6000 }, pair: { timings: { promotePollSeconds: 1 } } });
    t.after(() => stack.stop());
    const run = await failover(stack, { option: "Planned" });
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    const polls = run.view.timeline.filter((e) => e.step === "checkPromotion" && e.event === "succeeded");
    assert.ok(polls.length >= 4, `followed over ${polls.length} polls`);
    assert.ok(
      polls.some((e) => /replication (Reconfiguring|Updating|Catchup)/.test(e.summary)),
      polls.map((e) => e.summary).join("\n"),
    );
    assert.equal((await resolveCname(stack)).target, stack.lab.info.servers.replica.aRecordFqdn);
  });

  test("an LRO whose first poll already says Failed (asynchronous validation) is not accepted: fence lifted, nothing moved", async (t) => {
    const stack = await start();
    t.after(() => stack.stop());
    const { lab } = stack;
    lab.faults.add({
      kind: "promoteFail",
      immediate: true,
      code: "ReplicaPromoteValidationFailed",
      message: "The replica cannot be promoted now.",
    });
    const before = cnameRecord(stack);
    const run = await failover(stack, { option: "Planned" });
    assert.deepEqual([run.out.outcome, run.out.code, run.out.failedStep], ["refused", "PromoteFailed", "promote"]);
    assert.match(run.out.reason!, /ReplicaPromoteValidationFailed/);
    assert.equal(run.out.promoteAccepted, false);
    assert.equal(run.out.fence?.state, "lifted");
    assert.deepEqual(
      { target: cnameRecord(stack).target, ttl: cnameRecord(stack).ttl },
      { target: before.target, ttl: before.ttl },
    );
    assert.equal(await inRecovery(stack, "replica"), true);
    await lab.adminQuery("primary", "insert into lab_writes(note) values ('the old primary takes writes')");
  });

  test("ServerBusy on the promote is a wait, not a refusal: retried, and the failover succeeds", async (t) => {
    // Before: every 409 was permanent; "busy with another operation, please try again later" stopped the run.
    const stack = await start({ pair: { retry: { firstIntervalSeconds: 1, maxAttempts: 5 } } });
    t.after(() => stack.stop());
    const { lab } = stack;
    lab.faults.add({
      kind: "status",
      method: "PATCH",
      path: `/flexibleServers/${lab.info.servers.replica.name}`,
      status: 409,
      code: "ServerBusy",
      message: `Server '${lab.info.servers.replica.name}' is busy with another operation. Please try again later.`,
      times: 2,
    });
    const run = await failover(stack, { option: "Planned" });
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    const promotes = run.view.timeline.filter((e) => e.step === "promote" && e.event === "failed");
    assert.equal(promotes.length, 2, "two busy answers, each retried");
    assert.match(promotes[0]!.summary, /ServerBusy/);
  });
});
