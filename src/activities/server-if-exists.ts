// A server as ARM has it, or null when ARM says it does not exist (any other error is thrown: retried, or a
// refusal). Re-protection asks this of servers that may be gone or not yet created.
import { isNotFound } from "../azure/errors";
import type { ServerState } from "../domain/facts";
import type { ActivityDeps } from "./deps";

export async function serverIfExists(deps: ActivityDeps, resourceId: string): Promise<ServerState | null> {
  try {
    return await deps.servers.get(resourceId);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
