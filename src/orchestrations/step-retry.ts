// Retry per step, as data: every step starts from the pair's `retry` policy (copied into the run's input), and
// a step whose failure costs more than a retried call adjusts it here. One table, read by the kernel for every
// activity call, so a step's policy is found in one place and unit-tested as a table.
import * as df from "durable-functions";
import type { RetryOptions } from "durable-functions";
import type { ActivityKey } from "../activities/catalog";
import type { RetryPolicy } from "../config/pair-schema";

export interface StepRetry {
  /** At least this many attempts, whatever the pair's policy says. */
  minAttempts?: number;
  /** Why the step departs from the pair's policy. */
  why: string;
}

export const STEP_RETRY: Partial<Record<ActivityKey, StepRetry>> = {
  recordEvent: {
    minAttempts: 10,
    why: "the audit is the run's record: an entry lost to a storage blip is a gap in what the run did",
  },
  releaseLease: {
    minAttempts: 10,
    why: "a lease left held blocks the pair's next run until it goes stale",
  },
  liftFence: {
    minAttempts: 10,
    why: "an undo: a fence left on a primary that stays primary stops the application's writes",
  },
  restoreTtl: {
    minAttempts: 10,
    why: "an undo: a TTL left low multiplies the zone's queries until someone notices",
  },
};

/** The policy a step runs with: the pair's, adjusted by the step's entry. */
export function stepPolicy(key: ActivityKey, pair: RetryPolicy): RetryPolicy {
  const s = STEP_RETRY[key];
  return s?.minAttempts ? { ...pair, maxAttempts: Math.max(pair.maxAttempts, s.minAttempts) } : pair;
}

export function retryFor(key: ActivityKey, pair: RetryPolicy): RetryOptions {
  return retryOptions(stepPolicy(key, pair));
}

export function retryOptions(r: RetryPolicy): RetryOptions {
  const o = new df.RetryOptions(r.firstIntervalSeconds * 1000, r.maxAttempts);
  o.backoffCoefficient = r.backoffCoefficient;
  o.maxRetryIntervalInMilliseconds = r.maxIntervalSeconds * 1000;
  return o;
}
