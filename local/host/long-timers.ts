// Long durable timers as the Durable extension runs them. With schema V3 the orchestrator sends ONE CreateTimer
// action with the final fireAt (durable-functions src/task/LongTimerTask.ts); the extension's
// OutOfProcOrchestrationShim passes it to DurableOrchestrationContext.CreateTimer, which splits a timer more
// than MaximumDelayTime away into sub-timers of LongRunningTimerIntervalLength, each awaited in turn
// (Azure/azure-functions-durable-extension src/WebJobs.Extensions.DurableTask/ContextImplementations/
// DurableOrchestrationContext.cs, CreateTimer<T>). The same two durations are sent to the orchestrator
// (orchestrator-call.ts), as the extension sends its durability provider's.

const DAY_MS = 86_400_000;

/** maximumShortTimerDuration: a timer further away than this is split. */
export const MAXIMUM_SHORT_TIMER_MS = 6 * DAY_MS;
/** longRunningTimerIntervalDuration: the length of each sub-timer. */
export const LONG_TIMER_INTERVAL_MS = 3 * DAY_MS;

/** A duration as a .NET TimeSpan string, "d.hh:mm:ss" (the payload's format). */
export function timeSpan(ms: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  return `${days}.${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** The first timer the extension creates for a CreateTimer action at `nowMs`: the final one, or a sub-timer. */
export function firstTimerFireAt(nowMs: number, finalMs: number): number {
  return finalMs - nowMs > MAXIMUM_SHORT_TIMER_MS ? nowMs + LONG_TIMER_INTERVAL_MS : finalMs;
}

/**
 * After timer `firedMs` fired, seen at orchestration time `nowMs`: the next sub-timer's FireAt, or null when the
 * CreateTimer is complete. A long timer keeps stepping by the interval until less than one is left, then waits
 * for the rest (the extension's loop: `remainingTime < LongRunningTimerIntervalLength` → now + remaining).
 */
export function nextTimerFireAt(firedMs: number, nowMs: number, finalMs: number): number | null {
  if (firedMs >= finalMs) return null;
  const remaining = finalMs - nowMs;
  if (remaining <= 0) return null;
  return remaining < LONG_TIMER_INTERVAL_MS ? finalMs : nowMs + LONG_TIMER_INTERVAL_MS;
}
