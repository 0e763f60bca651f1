// The typed edges between an orchestrator and the durable-functions SDK, shared by every orchestration:
// an activity call through the one catalog of activities, and an external event with a deadline.
import type { OrchestrationContext, RetryOptions, Task } from "durable-functions";
import { ACTIVITY_NAMES, type ActivityInput, type ActivityKey, type ActivityOutput } from "../activities/catalog";

export type Gen<T> = Generator<Task, T, unknown>;
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: string };

/** One activity with a retry policy: its result, or the error left after the retries ran out. */
export function* callActivity<K extends ActivityKey>(
  ctx: OrchestrationContext,
  key: K,
  retry: RetryOptions,
  input: ActivityInput<K>,
): Gen<Attempt<ActivityOutput<K>>> {
  try {
    // The one place where the SDK's untyped result meets the catalog's type for this activity.
    const value = (yield ctx.df.callActivityWithRetry(ACTIVITY_NAMES[key], retry, input)) as ActivityOutput<K>;
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

/**
 * The same activity for several inputs at once: each call's result or error, in the inputs' order. One call
 * failing (its retries spent) does not end the wait for the others: Task.all stops at the first failure, so the
 * calls are then read, or awaited, one by one. Each was scheduled by Task.all and is only awaited again, never
 * scheduled twice (durable-functions marks a compound task's children scheduled when it is yielded).
 */
export function* callActivities<K extends ActivityKey>(
  ctx: OrchestrationContext,
  key: K,
  retry: RetryOptions,
  inputs: ActivityInput<K>[],
): Gen<Attempt<ActivityOutput<K>>[]> {
  // Stryker disable next-line ConditionalExpression: Task.all([]) throws in its constructor, caught below: [] either way
  if (inputs.length === 0) return [];
  const tasks = inputs.map((input) => ctx.df.callActivityWithRetry(ACTIVITY_NAMES[key], retry, input));
  try {
    yield ctx.df.Task.all(tasks);
  } catch {
    // One failed: the others are read (or awaited) below.
  }
  const out: Attempt<ActivityOutput<K>>[] = [];
  for (const task of tasks) {
    try {
      yield task; // at once when it has ended (durable-functions resumes with its result), else when it does
    } catch {
      // Its error is read below.
    }
    out.push(
      task.isCompleted
        ? { ok: true, value: task.result as ActivityOutput<K> }
        : { ok: false, error: errorMessage(task.result) },
    );
  }
  return out;
}

/** The next external event `name` with what it carried, or undefined once `deadline` has passed. */
export function* nextEvent(
  ctx: OrchestrationContext,
  name: string,
  deadline: Date,
): Gen<{ data: unknown } | undefined> {
  if (ctx.df.currentUtcDateTime >= deadline) return undefined;
  const timer = ctx.df.createTimer(deadline);
  const event = ctx.df.waitForExternalEvent(name);
  const first = yield ctx.df.Task.any([event, timer]);
  if (first === timer) return undefined;
  timer.cancel(); // a pending timer would keep the orchestration from completing
  return { data: event.result };
}

export function errorMessage(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split("\n")[0]!.slice(0, 1000);
}
