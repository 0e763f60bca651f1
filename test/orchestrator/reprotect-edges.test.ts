// A re-protection at its edges, through the real replay: what a one-person approval asks, the notes a retire leaves
// when ARM's operation ends without an error or the call itself fails, and a proof whose run id is its own.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FailoverInput, FailoverOutput } from "../../src/orchestrations/failover-types";
import type { ReprotectStatus } from "../../src/orchestrations/reprotect-types";
import { TEST_POLICY } from "./harness";
import { dryRunOk, input, reprotect, script } from "./reprotect-fixtures";

test("with one person allowed, the approval asks for an approval (not a second person's) with the plan", async () => {
  const oneAsks = {
    ...input,
    needsApproval: true,
    policy: { ...TEST_POLICY, approval: { ...TEST_POLICY.approval, twoPerson: false } },
  };
  const r = await reprotect(oneAsks, script());
  const waiting = (r.statuses as unknown as ReprotectStatus[]).find((s) => s.awaitingApproval);
  assert.match(waiting?.message ?? "", /^awaiting approval until \d{4}-/);
  assert.equal(waiting?.step, "approval");
});

test("a retire whose operation ends Failed says so, with ARM's error only when there is one", async () => {
  const bare = await reprotect(
    { ...input, retireOld: "delete" },
    script({ checkOperation: () => ({ status: "Failed" }) }),
  );
  assert.equal(bare.output.old?.note, "delete Failed");
  const said = await reprotect(
    { ...input, retireOld: "delete" },
    script({ checkOperation: () => ({ status: "Canceled", error: "OperationCanceled" }) }),
  );
  assert.equal(said.output.old?.note, "delete Canceled: OperationCanceled");
});

test("the proof's run id is derived from the re-protection's own: two re-protections never share a dry run", async () => {
  const ids: string[] = [];
  const subs = {
    failover: (i: FailoverInput, id: string) => (ids.push(i.runId), dryRunOk().failover!(i, id) as FailoverOutput),
  };
  await reprotect(input, script(), [], subs);
  await reprotect({ ...input, runId: "00000000-0000-0000-0000-0000000000bb" }, script(), [], subs);
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
});
