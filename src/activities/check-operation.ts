// One poll of a long-running ARM operation by its status URL (only ever on the configured ARM endpoint).
import type { ActivityDeps } from "./deps";
import type { CheckOperationInput, CheckOperationResult } from "./reprotect-contracts";

export function makeCheckOperation(deps: ActivityDeps) {
  return (input: CheckOperationInput): Promise<CheckOperationResult> =>
    deps.servers.operationStatus(input.operationUrl);
}
