// Calls an orchestrator function with a history and returns its state (actions, output, error),
// in the payload shape the Durable extension uses for out-of-process languages (schema V3).
import { typedDataToJson, type Invoker } from "./invoker";
import { LONG_TIMER_INTERVAL_MS, MAXIMUM_SHORT_TIMER_MS, timeSpan } from "./long-timers";
import type { HistoryEvent, OrchestratorResult } from "./types";

const OUT_OF_PROC_LABEL = "$OutOfProcData$:";

export interface OrchestratorCall {
  name: string;
  triggerBinding: string;
  instanceId: string;
  history: HistoryEvent[];
  /** JSON text of the input, or null. */
  input: string | null;
  parentInstanceId?: string;
}

export async function invokeOrchestrator(invoker: Invoker, call: OrchestratorCall): Promise<OrchestratorResult> {
  const payload = {
    history: call.history,
    input: call.input === null ? undefined : JSON.parse(call.input),
    instanceId: call.instanceId,
    isReplaying: call.history.some((e) => e.IsPlayed),
    parentInstanceId: call.parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 3,
    // Both are required with schema V3 (createTimer throws without them); the host splits long timers by them.
    longRunningTimerIntervalDuration: timeSpan(LONG_TIMER_INTERVAL_MS),
    maximumShortTimerDuration: timeSpan(MAXIMUM_SHORT_TIMER_MS),
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  try {
    const resp = await invoker.invoke(call.name, [
      { name: call.triggerBinding, data: { json: JSON.stringify(payload) } },
    ]);
    const json = typedDataToJson(resp.returnValue);
    if (json === null) throw new Error("the orchestrator returned no state");
    return JSON.parse(json) as OrchestratorResult;
  } catch (err) {
    // durable-functions reports an orchestrator error as an exception carrying its state.
    const message = err instanceof Error ? err.message : String(err);
    const at = message.indexOf(OUT_OF_PROC_LABEL);
    if (at >= 0) {
      const state = JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorResult;
      return { ...state, error: state.error ?? message.slice(0, at).trim() };
    }
    return { isDone: false, actions: [[]], error: message };
  }
}
