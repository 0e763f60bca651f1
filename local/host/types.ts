// Shared wire and state shapes. Field names of history events follow DTFx (PascalCase) because
// the durable-functions replay engine reads them verbatim.

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** One DTFx history event. Optional fields depend on EventType. */
export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string | null;
  Version?: string;
  InstanceId?: string;
  TaskScheduledId?: number;
  Result?: string | null;
  Reason?: string;
  Details?: string;
  TimerId?: number;
  FireAt?: string;
  OrchestrationStatus?: string;
  ParentInstance?: { InstanceId: string; TaskScheduledId: number } | null;
}

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  WhenAny = 11,
  WhenAll = 12,
}

export interface WireRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** An action as serialised by durable-functions' OrchestratorState (JSON round-tripped). */
export interface WireAction {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: WireRetryOptions;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: WireAction[];
  preserveUnprocessedEvents?: boolean;
}

/** What an orchestrator invocation returns (schema V2+: actions is [[...all actions...]]). */
export interface OrchestratorResult {
  isDone: boolean;
  actions: WireAction[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

export type RuntimeStatus =
  "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated" | "Suspended";

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ["Completed", "Failed", "Terminated"];
export const isTerminal = (s: RuntimeStatus): boolean => TERMINAL_STATUSES.includes(s);

/** Persisted state of one orchestration instance (current execution only). */
export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON text of the input, or null. */
  input: string | null;
  /** JSON text of the output, or null. */
  output: string | null;
  /** JSON text of the custom status, or null. */
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  parent: { instanceId: string; taskScheduledId: number } | null;
  /** Committed history: every event here has been given to (or produced by) the orchestrator. */
  history: HistoryEvent[];
  /** New events not yet replayed; persisted before the orchestrator sees them (write-ahead). */
  inbox: HistoryEvent[];
}
