// Re-protection, step 3: ask ARM for the new replica. Idempotent: a retry (or a host restart) that finds the
// server this run asked for — a replica of the same primary — reports it instead of asking twice; a server of
// that name that is anything else is a refusal (names are never reused). ARM's own refusals (quota, a name
// taken elsewhere) are refusals with ARM's code, through `audited`.
import { sameResourceId } from "../domain/names";
import type { ServerState } from "../domain/facts";
import type { ActivityDeps } from "./deps";
import { serverIfExists } from "./server-if-exists";
import type { CreateReplicaInput, CreateReplicaResult } from "./reprotect-contracts";

export function makeCreateReplica(deps: ActivityDeps) {
  return async (input: CreateReplicaInput): Promise<CreateReplicaResult> => {
    const existing = await serverIfExists(deps, input.target.resourceId);
    if (existing) return ours(existing, input) ? { kind: "exists" } : taken(existing, input);
    const started = await deps.servers.startCreateReplica({
      resourceId: input.target.resourceId,
      location: input.target.location,
      sourceServerResourceId: input.sourceServerResourceId,
      network: input.target.network,
    });
    const first = started.firstPoll;
    if (first?.status === "Failed" || first?.status === "Canceled")
      return { kind: "refused", code: "CreateFailed", reason: `ARM: ${first.error ?? first.status}` };
    return { kind: "started", operationUrl: started.operationUrl, firstPoll: first };
  };
}

function ours(s: ServerState, input: CreateReplicaInput): boolean {
  return sameResourceId(s.sourceServerResourceId, input.sourceServerResourceId);
}

function taken(s: ServerState, input: CreateReplicaInput): CreateReplicaResult {
  return {
    kind: "refused",
    code: "NameTaken",
    reason: `${input.target.name} exists and is not a replica of the primary (role ${s.role ?? "none"})`,
  };
}
