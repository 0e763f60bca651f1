// Public API of the local durable host.
export { startHost, type HostOptions, type RunningHost } from "./host";
export { spawnHost, CLI_PATH, type SpawnHostOptions, type SpawnedHost } from "./spawn";
export { replay, type ReplayResult } from "./replay";
export { EventType, ActionType, type HistoryEvent, type WireAction, type RuntimeStatus } from "./types";
