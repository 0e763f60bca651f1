// The run variants as a table: each row says what a failover of that kind does, so a change to one row is a
// change to this test (pg_auto_failover's transition table; Patroni's modes as data).
import assert from "node:assert/strict";
import { test } from "node:test";
import { drainSeconds, rtoBudgetSeconds, variantOf, type Variant } from "../../src/domain/variants";

type Row = [mode: "failover" | "complete", option: "Planned" | "Forced", answers: boolean, expected: Variant];

const TABLE: Row[] = [
  // A planned failover loses nothing: drain, fence before, catch up, promote. It needs the old primary.
  ["failover", "Planned", true, { drain: true, fence: "before", catchUp: true, promote: true, rpoGuard: false }],
  ["failover", "Planned", false, { drain: true, fence: "before", catchUp: true, promote: true, rpoGuard: false }],
  // A forced one does not wait for the primary: promote at once (RPO guard), fence after the proof.
  ["failover", "Forced", true, { drain: false, fence: "after", catchUp: false, promote: true, rpoGuard: true }],
  ["failover", "Forced", false, { drain: false, fence: "after", catchUp: false, promote: true, rpoGuard: true }],
  // Completing: no promote; fence before the repoint if the old primary answers, else after (watched).
  ["complete", "Planned", true, { drain: true, fence: "before", catchUp: false, promote: false, rpoGuard: false }],
  ["complete", "Planned", false, { drain: true, fence: "after", catchUp: false, promote: false, rpoGuard: false }],
  ["complete", "Forced", true, { drain: false, fence: "before", catchUp: false, promote: false, rpoGuard: false }],
  ["complete", "Forced", false, { drain: false, fence: "after", catchUp: false, promote: false, rpoGuard: false }],
];

test("each variant of a run, as a table", () => {
  for (const [mode, option, answers, expected] of TABLE)
    assert.deepEqual(variantOf(mode, option, answers), expected, `${mode} ${option} ${answers ? "answers" : "away"}`);
});

test("the drain is the old TTL capped, and nothing when the variant does not drain", () => {
  const planned = variantOf("failover", "Planned", true);
  assert.equal(drainSeconds(planned, 3600, 300), 300);
  assert.equal(drainSeconds(planned, 30, 300), 30);
  assert.equal(drainSeconds(variantOf("failover", "Forced", true), 3600, 300), 0);
});

test("the RTO budget adds only the waits the variant commits to", () => {
  const t = { catchUpDeadlineSeconds: 120, promoteDeadlineSeconds: 600, verifyDeadlineSeconds: 60 };
  assert.equal(rtoBudgetSeconds(variantOf("failover", "Planned", true), 30, t), 30 + 120 + 600 + 60);
  assert.equal(rtoBudgetSeconds(variantOf("failover", "Forced", false), 0, t), 600 + 60);
  assert.equal(rtoBudgetSeconds(variantOf("complete", "Planned", true), 30, t), 30 + 60);
});
