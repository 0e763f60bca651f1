// Retry policy of the Durable extension (DTFx RetryInterceptor.ComputeNextDelay) for the
// CallActivityWithRetry / CallSubOrchestratorWithRetry actions. The host, not the JS SDK, retries.
import type { WireRetryOptions } from "./types";

export interface RetryPolicy {
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  retryTimeoutMs: number;
}

/** Unset (undefined, null or <= 0) limits mean "no limit", as with the extension's defaults. */
export function toRetryPolicy(o: WireRetryOptions): RetryPolicy {
  const limit = (v: number | undefined) => (typeof v === "number" && v > 0 ? v : Infinity);
  if (!(o.firstRetryIntervalInMilliseconds > 0))
    throw new Error("retryOptions.firstRetryIntervalInMilliseconds must be > 0");
  return {
    firstRetryIntervalMs: o.firstRetryIntervalInMilliseconds,
    maxNumberOfAttempts: Math.max(1, Math.floor(o.maxNumberOfAttempts)),
    backoffCoefficient: typeof o.backoffCoefficient === "number" && o.backoffCoefficient > 0 ? o.backoffCoefficient : 1,
    maxRetryIntervalMs: limit(o.maxRetryIntervalInMilliseconds),
    retryTimeoutMs: limit(o.retryTimeoutInMilliseconds),
  };
}

/**
 * Delay before the retry following failed attempt number `attempt` (0-based), or 0 when the retry
 * timeout (measured from the first attempt, in orchestration time) has expired.
 */
export function nextRetryDelay(p: RetryPolicy, attempt: number, firstAttemptMs: number, nowMs: number): number {
  if (!(nowMs < firstAttemptMs + p.retryTimeoutMs)) return 0;
  const delay = p.firstRetryIntervalMs * Math.pow(p.backoffCoefficient, attempt);
  return delay < p.maxRetryIntervalMs ? delay : p.maxRetryIntervalMs;
}
