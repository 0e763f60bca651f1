// Retry policy of the Durable extension for the CallActivityWithRetry / CallSubOrchestratorWithRetry
// actions; the host, not the JS SDK, retries. Fields are read like the extension's
// RetryOptionsConverter (a field that is present is taken as it is), with the defaults of its
// RetryOptions (MaxRetryInterval 6 days) and of DTFx's (BackoffCoefficient 1, RetryTimeout MaxValue).
import type { WireRetryOptions } from "./types";

/** Microsoft.Azure.WebJobs.Extensions.DurableTask.RetryOptions.DefaultMaxRetryinterval. */
export const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 24 * 3600 * 1000;

export interface RetryPolicy {
  firstRetryIntervalMs: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalMs: number;
  retryTimeoutMs: number;
}

const given = (v: number | undefined): v is number => typeof v === "number";

export function toRetryPolicy(o: WireRetryOptions): RetryPolicy {
  if (!(o.firstRetryIntervalInMilliseconds > 0))
    throw new Error("retryOptions.firstRetryIntervalInMilliseconds must be > 0");
  return {
    firstRetryIntervalMs: o.firstRetryIntervalInMilliseconds,
    // DTFx would run no attempt at all (and the SDK would wait forever); one attempt is the useful reading.
    maxNumberOfAttempts: Math.max(1, Math.floor(o.maxNumberOfAttempts)),
    backoffCoefficient: given(o.backoffCoefficient) ? o.backoffCoefficient : 1,
    maxRetryIntervalMs: given(o.maxRetryIntervalInMilliseconds)
      ? o.maxRetryIntervalInMilliseconds
      : DEFAULT_MAX_RETRY_INTERVAL_MS,
    retryTimeoutMs: given(o.retryTimeoutInMilliseconds) ? o.retryTimeoutInMilliseconds : Infinity,
  };
}

/** True once the retry timeout, measured from the first attempt in orchestration time, has passed. */
export const retryTimeoutExpired = (p: RetryPolicy, firstAttemptMs: number, nowMs: number): boolean =>
  !(nowMs < firstAttemptMs + p.retryTimeoutMs);

/**
 * DTFx RetryInterceptor.ComputeNextDelay: the delay before the retry that follows failed attempt
 * `attempt` (0-based); 0 (stop retrying) once the retry timeout has expired.
 */
export function nextRetryDelay(p: RetryPolicy, attempt: number, firstAttemptMs: number, nowMs: number): number {
  if (retryTimeoutExpired(p, firstAttemptMs, nowMs)) return 0;
  const delay = p.firstRetryIntervalMs * Math.pow(p.backoffCoefficient, attempt);
  return delay < p.maxRetryIntervalMs ? delay : p.maxRetryIntervalMs;
}
