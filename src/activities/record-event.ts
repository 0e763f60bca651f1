// Run-level audit entries written by the orchestrator (which may not do I/O itself): the request, the
// decisions it takes between steps, and the outcome.
import type { RecordEventInput } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeRecordEvent(deps: ActivityDeps) {
  return async (input: RecordEventInput): Promise<void> => {
    await deps.journal.append({
      runId: input.runId,
      pair: input.pair,
      step: "run",
      event: input.event,
      summary: input.summary,
      detail: input.detail,
    });
  };
}
