// Retry per step as data (src/orchestrations/step-retry.ts): every step starts from the pair's policy; the
// bookkeeping and undo steps keep trying longer, because what they leave undone outlives the run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { retryFor, STEP_RETRY, stepPolicy } from "../../src/orchestrations/step-retry";

const PAIR = { firstIntervalSeconds: 5, maxAttempts: 3, backoffCoefficient: 2, maxIntervalSeconds: 60 };

test("a step with no entry runs with the pair's policy as configured", () => {
  for (const key of ["preflight", "promote", "repointCname", "verify", "fence"] as const)
    assert.deepEqual(stepPolicy(key, PAIR), PAIR, key);
});

test("the audit, the lease and the undo steps try at least 10 times, and never fewer than the pair asks", () => {
  for (const key of ["recordEvent", "releaseLease", "liftFence", "restoreTtl"] as const) {
    assert.equal(stepPolicy(key, PAIR).maxAttempts, 10, key);
    assert.equal(stepPolicy(key, { ...PAIR, maxAttempts: 15 }).maxAttempts, 15, key);
    assert.ok(STEP_RETRY[key]?.why, `${key} says why it departs from the pair's policy`);
  }
});

test("the durable retry options carry the step's policy in milliseconds", () => {
  const o = retryFor("recordEvent", PAIR);
  assert.equal(o.firstRetryIntervalInMilliseconds, 5000);
  assert.equal(o.maxNumberOfAttempts, 10);
  assert.equal(o.backoffCoefficient, 2);
  assert.equal(o.maxRetryIntervalInMilliseconds, 60_000);
});
