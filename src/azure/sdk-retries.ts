// The Azure SDK's own pipeline retries transient failures (up to 3 times) before an activity sees
// anything. So that "every retry is audited" holds, a per-try policy records each failed try into the
// audit scope of the activity attempt that is running (an AsyncLocalStorage set by the audit wrapper).
import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** One failed try of an HTTP request made by an Azure SDK client. */
export interface SdkTry {
  at: string;
  method: string;
  /** URL path without the query (no api-version noise, never a secret). */
  path: string;
  /** HTTP status, or the network error code when no response came back. */
  outcome: string;
}

const scope = new AsyncLocalStorage<SdkTry[]>();

/** Runs `fn`, collecting the failed tries of every SDK request it makes. */
export async function recordingSdkTries<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; tries: SdkTry[] } | { error: unknown; tries: SdkTry[] }> {
  const tries: SdkTry[] = [];
  try {
    return { value: await scope.run(tries, fn), tries };
  } catch (error) {
    return { error, tries };
  }
}

/** Statuses the SDK's retry policy retries (core-rest-pipeline's throttling and exponential policies). */
const RETRIED = new Set([408, 429, 500, 502, 503, 504]);

export const SDK_TRY_RECORDER = "pgflexSdkTryRecorder";

export function sdkTryRecorderPolicy(): PipelinePolicy {
  return {
    name: SDK_TRY_RECORDER,
    async sendRequest(request, next) {
      const tries = scope.getStore();
      const note = (outcome: string) =>
        tries?.push({
          at: new Date().toISOString(),
          method: request.method,
          path: new URL(request.url).pathname,
          outcome,
        });
      try {
        const response = await next(request);
        if (RETRIED.has(response.status)) note(`HTTP ${response.status}`);
        return response;
      } catch (e) {
        note((e as { code?: string }).code ?? (e as Error).name ?? "error");
        throw e;
      }
    },
  };
}
