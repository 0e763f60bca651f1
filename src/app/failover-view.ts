// What GET /api/failovers/{id} shows: the run's status, the step it is on, the audit timeline and, at the
// end, the outcome with its RTO breakdown and RPO estimate.
import type { DurableOrchestrationStatus } from "durable-functions";
import type { AuditEntry } from "../audit/journal";
import { redact } from "../audit/redact";
import type { FailoverInput, FailoverOutput, FailoverStatus } from "../orchestrations/failover-types";
import type { PendingFence } from "../state/pair-state";

/**
 * Everything in it is redacted: a run's error, `result.reason` and notes carry driver and ARM messages, which
 * can quote a connection string or a URL with its key; the audit entries were redacted when written.
 * `fence`: the pair's owed fence, when this run left one (a forced failover whose old primary was away):
 * it keeps changing after the run ends, so it is read live.
 */
export function failoverView(status: DurableOrchestrationStatus, timeline: AuditEntry[], fence?: PendingFence) {
  const input = status.input as FailoverInput | undefined;
  const output = status.runtimeStatus === "Completed" ? (status.output as FailoverOutput) : undefined;
  const custom = status.customStatus as FailoverStatus | undefined;
  return redact({
    id: status.instanceId,
    runId: input?.runId,
    pair: input?.pair,
    option: input?.option,
    mode: input?.mode,
    acceptDataLoss: input?.acceptDataLoss,
    dryRun: input?.dryRun,
    reason: input?.reason,
    requester: input?.requester,
    note: input?.note,
    awaitingApproval: custom?.awaitingApproval ?? null,
    requestedAt: input?.requestedAt,
    runtimeStatus: status.runtimeStatus,
    // The outcome a person acts on: succeeded / refused / failed / dryRun, or running.
    outcome:
      output?.outcome ??
      (status.runtimeStatus === "Running" || status.runtimeStatus === "Pending"
        ? "running"
        : String(status.runtimeStatus).toLowerCase()),
    currentStep: custom ?? null,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    timeline: timeline.map((e) => ({
      at: e.at,
      step: e.step,
      event: e.event,
      attempt: e.attempt,
      durationMs: e.durationMs,
      summary: e.summary,
      detail: e.detail,
    })),
    result: output ?? null,
    // Live: is the old primary fenced yet? ("not fenced" until the fence watch reaches it)
    oldPrimary:
      fence && fence.runId === input?.runId
        ? {
            server: fence.server.name,
            fenced: fence.state === "fenced",
            state: fence.state,
            since: fence.since,
            watchUntil: fence.until,
            fencedAt: fence.fencedAt ?? null,
            lastError: fence.lastError ?? null,
            note: fence.note ?? null,
          }
        : output?.fence
          ? {
              server: output.fence.server,
              fenced: output.fence.state === "fenced",
              state: output.fence.state,
              note: output.fence.note,
            }
          : null,
    // A failure of the orchestration itself (a bug, not a refused failover) carries its message here.
    error: status.runtimeStatus === "Failed" ? status.output : undefined,
  });
}
