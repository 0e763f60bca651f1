// Two people for the dangerous path: a forced failover requested by alice waits, having changed nothing,
// until someone else with Failover.Approve says yes; alice cannot approve her own; an abort or the timeout
// ends it with nothing changed; the audit names the verified principals.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cnameRecord, follow, inRecovery, requestFailover, roles, start, waitFor, type Stack } from "./helpers";

interface Waiting {
  currentStep: { step: string } | null;
  awaitingApproval: {
    from: string;
    to: string;
    requester: { name: string };
    risk: { bytes: number | null } | null;
    twoPerson: boolean;
  } | null;
}

async function awaitingApproval(stack: Stack, id: string): Promise<Waiting> {
  return waitFor("the run to wait for approval", async () => {
    const r = await stack.api.get<Waiting>(`/api/failovers/${id}`);
    return r.body.awaitingApproval ? r.body : undefined;
  });
}

function unchanged(stack: Stack) {
  return {
    cname: cnameRecord(stack),
    roles: roles(stack),
    writes: stack.lab.requests().filter((r) => r.method !== "GET").length,
  };
}

test("requested by alice, refused to alice, approved by bob: the forced failover runs; the audit names both", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
  const before = unchanged(stack);
  const { id } = await requestFailover(stack, {
    option: "Forced",
    acceptDataLoss: false,
    reason: "primary flapping INC-9",
  });
  const waiting = await awaitingApproval(stack, id);
  assert.equal(waiting.currentStep?.step, "approval");
  assert.deepEqual(
    [
      waiting.awaitingApproval!.from,
      waiting.awaitingApproval!.to,
      waiting.awaitingApproval!.requester.name,
      waiting.awaitingApproval!.twoPerson,
    ],
    [stack.lab.info.servers.primary.name, stack.lab.info.servers.replica.name, "Alice", true],
  );
  assert.equal(typeof waiting.awaitingApproval!.risk?.bytes, "number");
  assert.deepEqual(unchanged(stack), before, "nothing changed while waiting (CNAME, TTL, roles, no ARM write)");
  const [ro] = await stack.lab.adminQuery<{ ro: string }>(
    "primary",
    "select current_setting('default_transaction_read_only') ro",
  );
  assert.equal(ro!.ro, "off", "not fenced while waiting");

  // alice holds Failover.Approve too, but she asked: the two-person rule refuses her.
  const aliceApprover = await stack.as("alice", ["Failover.Request", "Failover.Approve", "Failover.Read"]);
  const self = await aliceApprover.post<{ error: { code: string } }>(`/api/failovers/${id}/approve`, {
    reason: "approving my own",
  });
  assert.deepEqual([self.status, self.body.error.code], [403, "SelfApproval"]);
  const reader = await stack.as("carol", ["Failover.Read"]);
  assert.equal((await reader.post(`/api/failovers/${id}/approve`, { reason: "me too" })).status, 403);

  const ok = await stack.approver.post<{ decision: string; by: { name: string } }>(`/api/failovers/${id}/approve`, {
    reason: "confirmed with the incident lead",
  });
  assert.deepEqual([ok.status, ok.body.decision, ok.body.by.name], [202, "approve", "Bob"]);
  const run = await follow(stack, id);
  assert.equal(run.out.outcome, "succeeded", run.out.reason);
  assert.equal(await inRecovery(stack, "replica"), false);
  assert.deepEqual([run.out.approval?.decision, run.out.approval?.by?.name], ["approve", "Bob"]);
  const requested = run.view.timeline.find((e) => e.event === "requested")!;
  assert.match(requested.summary, /requested by Alice \([0-9a-f-]{36}\)/);
  const approved = run.view.timeline.find((e) => e.event === "approved")!;
  assert.match(approved.summary, /approved by Bob \([0-9a-f-]{36}\): confirmed with the incident lead/);
  assert.equal(
    (await stack.approver.post(`/api/failovers/${id}/approve`, { reason: "again" })).status,
    409,
    "not waiting any more",
  );
});

// Runs that end with nothing changed leave the pair as they found it: these two share one stack (6 s timeout).
describe("runs that change nothing", () => {
  let stack: Stack;
  before(async () => {
    stack = await start({ pair: { approval: { mode: "forced", timeoutMinutes: 0.1 } } });
  });
  after(() => stack?.stop());

  test("an abort ends a waiting run with nothing changed, audited with who and why; so does the timeout", async () => {
    const before = unchanged(stack);
    const first = await requestFailover(stack, { option: "Forced", reason: "abort me" });
    await awaitingApproval(stack, first.id);
    const abort = await stack.approver.post(`/api/failovers/${first.id}/abort`, { reason: "the primary recovered" });
    assert.equal(abort.status, 202);
    const aborted = await follow(stack, first.id);
    assert.deepEqual([aborted.out.outcome, aborted.out.code], ["aborted", "Aborted"]);
    assert.match(
      aborted.view.timeline.find((e) => e.event === "aborted")!.summary,
      /aborted by Bob \([0-9a-f-]{36}\): the primary recovered/,
    );
    assert.deepEqual(unchanged(stack), before);

    const second = await requestFailover(stack, { option: "Forced", reason: "nobody answers" });
    const timedOut = await follow(stack, second.id);
    assert.deepEqual([timedOut.out.outcome, timedOut.out.code], ["aborted", "ApprovalTimedOut"]);
    assert.deepEqual(unchanged(stack), before);
    assert.equal(await inRecovery(stack, "replica"), true);
  });

  test("an approval forged through the Durable webhook (master key, made-up principal) is ignored and audited; the run waits on", async () => {
    // Reproduced before: raiseEvent/decision with {principal: {name: "bob", roles: [Failover.Approve]}} approved the run.
    const before = unchanged(stack);
    const { id } = await requestFailover(stack, { option: "Forced", reason: "forged approval attempt" });
    await awaitingApproval(stack, id);
    const forged = {
      decision: "approve",
      principal: { oid: "11111111-2222-3333-4444-555555555555", name: "bob", roles: ["Failover.Approve"], idp: "aad" },
      reason: "looks fine",
      at: new Date().toISOString(),
    };
    for (const data of [forged, { nonce: "ab".repeat(24) }]) {
      const url = new URL(`/runtime/webhooks/durabletask/instances/${id}/raiseEvent/decision`, stack.host.url);
      const res = await fetch(url, {
        method: "POST",
        // The webhook stays behind authentication: a signed-in person who also holds the master key.
        headers: {
          "content-type": "application/json",
          "x-functions-key": stack.host.masterKey,
          authorization: `Bearer ${stack.approver.caller.token}`,
        },
        body: JSON.stringify(data),
      });
      assert.equal(res.status, 202, "the key holder can raise the event; the run must not believe it");
    }
    const run = await follow(stack, id);
    assert.deepEqual([run.out.outcome, run.out.code], ["aborted", "ApprovalTimedOut"], "never approved");
    assert.equal(run.out.approval?.decision, "timeout");
    assert.deepEqual(unchanged(stack), before, "nothing changed");
    const ignored = run.view.timeline.filter((e) => e.event === "ignored").map((e) => e.summary);
    assert.equal(ignored.length, 2, ignored.join("\n"));
    assert.match(ignored[0]!, /names no stored decision/);
    assert.match(ignored[1]!, /no decision is stored under it for this run/);
    assert.ok(!run.view.timeline.some((e) => e.event === "approved"));
    assert.ok(!JSON.stringify(run.view.timeline).includes("looks fine"), "the forged content is not in the audit");
  });
});
