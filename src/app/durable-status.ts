import type * as df from "durable-functions";

/** Runtime statuses of a run that has not ended. */
export const RUNNING = new Set(["Running", "Pending", "Suspended", "ContinuedAsNew"]);

/**
 * An instance's status, or undefined when the task hub has no such instance. The durable client reports
 * that as a thrown Error whose message names HTTP 404 (it exposes no status code), so that message is the
 * one thing matched — here, once.
 */
export async function statusOf(client: df.DurableClient, instanceId: string, options?: df.GetStatusOptions) {
  try {
    return await client.getStatus(instanceId, options);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}

/**
 * What a run's status view says about its progress, whatever the orchestration: the runtime status, the outcome
 * (its own once it ended, "running" while it runs, else the runtime status), and from the custom status the step,
 * the line for people and the plan it waits on.
 */
export function runProgress(
  status: df.DurableOrchestrationStatus,
  outcome: string | undefined,
  custom: { step?: string; message?: string; awaitingApproval?: unknown } | undefined,
) {
  const running = RUNNING.has(status.runtimeStatus);
  return {
    runtimeStatus: status.runtimeStatus,
    outcome: outcome ?? (running ? "running" : String(status.runtimeStatus).toLowerCase()),
    step: custom?.step ?? null,
    message: custom?.message ?? null,
    awaitingApproval: custom?.awaitingApproval ?? null,
  };
}
