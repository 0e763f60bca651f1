// Constructors for history events and their JSON presentation in the status API.
import { EventType, type HistoryEvent } from "./types";

export function event(type: EventType, timestampMs: number, extra: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: new Date(timestampMs).toISOString(), ...extra };
}

const parseJson = (text: string | null | undefined): unknown => {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * History for `GET instances/{id}?showHistory=true`: DTFx events with EventType as its name,
 * without the OrchestratorStarted/OrchestratorCompleted episode markers (as the extension does).
 * Completion events get FunctionName and ScheduledTime from their scheduling event; results and
 * inputs are shown only with showHistoryOutput=true.
 */
export function presentHistory(history: HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of history) if (e.EventId >= 0) scheduled.set(e.EventId, e);
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    if (e.EventType === EventType.OrchestratorStarted || e.EventType === EventType.OrchestratorCompleted) continue;
    const item: Record<string, unknown> = {
      EventType: EventType[e.EventType],
      EventId: e.EventId,
      Timestamp: e.Timestamp,
    };
    const origin =
      e.TaskScheduledId !== undefined
        ? scheduled.get(e.TaskScheduledId)
        : e.TimerId !== undefined
          ? scheduled.get(e.TimerId)
          : undefined;
    if (e.Name !== undefined) item.Name = e.Name;
    if (origin?.Name !== undefined) item.FunctionName = origin.Name;
    if (origin) item.ScheduledTime = origin.Timestamp;
    for (const k of [
      "TaskScheduledId",
      "TimerId",
      "FireAt",
      "InstanceId",
      "Reason",
      "Details",
      "OrchestrationStatus",
    ] as const) {
      if (e[k] !== undefined) item[k] = e[k];
    }
    if (showOutput) {
      if (e.Input !== undefined) item.Input = parseJson(e.Input);
      if (e.Result !== undefined) item.Result = parseJson(e.Result);
    }
    out.push(item);
  }
  return out;
}
