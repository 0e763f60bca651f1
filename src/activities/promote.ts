// Start the standalone promote of the replica. Idempotent: a server already promoted, or whose promote is
// already running (a retry after a crash), is not promoted again. Both servers must be Ready first (a
// planned promote needs its source too): Azure refuses a promote while either is busy, so a busy server is a
// transient wait, retried by the step's policy. The promote's operation URL is returned for the durable
// loop to poll; an operation that already failed (asynchronous validation) is a refusal only when the data
// plane shows the replica still in recovery — nothing was promoted, so the fence may be lifted.
import { isReplicaRole, isStandalone } from "../domain/topology";
import type { PromoteInput, PromoteResult } from "./contracts";
import type { ActivityDeps } from "./deps";

const PROMOTE_ORDER = new Set(["reconfiguring", "updating", "catchup"]);

export function makePromote(deps: ActivityDeps) {
  return async (input: PromoteInput): Promise<PromoteResult> => {
    const state = await deps.servers.get(input.server.resourceId);
    if (isStandalone(state)) return { kind: state.state === "Ready" ? "alreadyPromoted" : "inProgress", state };
    if (state.state === "Updating" || PROMOTE_ORDER.has((state.replicationState ?? "").toLowerCase()))
      return { kind: "inProgress", state };
    if (!isReplicaRole(state.role)) {
      return {
        kind: "refused",
        code: "NotAReplica",
        reason: `${state.name} has role ${state.role ?? "unknown"}; only a replica can be promoted`,
      };
    }
    if (state.state !== "Ready") throw new Error(`${state.name} is ${state.state}: waiting for it to be Ready`);
    if (input.option === "Planned" && input.source) {
      const source = await deps.servers.get(input.source.resourceId);
      if (source.state !== "Ready")
        throw new Error(`${source.name} (the source) is ${source.state}: a planned promote waits for it to be Ready`);
    }
    const started = await deps.servers.startPromote(input.server.resourceId, input.option);
    const first = started.firstPoll;
    if (first?.status === "Failed" || first?.status === "Canceled") {
      const why = first.error ?? first.status;
      const pair = await deps.pair(input.pair);
      const name = input.server.fqdn ?? state.fqdn ?? input.server.aRecordFqdn;
      // Stryker disable next-line ArrowFunction: undefined reads as null below (plane?.inRecovery)
      const plane = await deps.probe.inspect(name, deps.login(pair), "verify-full").catch(() => null);
      if (plane?.inRecovery === true)
        return {
          kind: "refused",
          code: "PromoteFailed",
          reason: `ARM accepted the promote of ${state.name}, then its operation failed (${why}); ${state.name} is still a replica, nothing was promoted`,
        };
    }
    // Once ARM accepted the PATCH the promote is under way, whatever a later read says.
    const notes = [
      started.pollError ? `its first poll failed (${started.pollError})` : "",
      first && first.status !== "InProgress"
        ? `its first poll said ${first.status}${first.error ? `: ${first.error}` : ""}`
        : "",
    ].filter(Boolean);
    const after = await deps.servers.get(input.server.resourceId).catch(() => state);
    return {
      kind: "started",
      state: after,
      ...(started.operationUrl ? { operationUrl: started.operationUrl } : {}),
      ...(notes.length ? { note: `ARM accepted the promote; ${notes.join("; ")}` } : {}),
    };
  };
}
