// Re-protection, step 4 (one poll): is the new replica ready to join the pair? ARM says Ready, a replica of the
// primary, replication Active; its own name resolves through the zone to an A record; the probe logs in to it
// by that name with verify-full; its lag is under the pair's threshold. A create operation that failed is a
// refusal; anything not there yet is "waiting" (the orchestrator polls on a durable timer).
import { describeError } from "../domain/describe-error";
import type { ServerState } from "../domain/facts";
import { lagBytes } from "../domain/lsn";
import { normalizeName } from "../domain/names";
import { replicaWaitingFor } from "../domain/reprotect";
import type { ActivityDeps } from "./deps";
import { serverIfExists } from "./server-if-exists";
import type { CheckReplicaInput, CheckReplicaResult } from "./reprotect-contracts";

export function makeCheckReplica(deps: ActivityDeps) {
  return async (input: CheckReplicaInput): Promise<CheckReplicaResult> => {
    if (input.operationUrl) {
      const op = await deps.servers.operationStatus(input.operationUrl);
      if (op.status === "Failed" || op.status === "Canceled")
        return { kind: "refused", code: "CreateFailed", reason: `ARM: ${op.error ?? op.status}` };
    }
    const state = await serverIfExists(deps, input.target.resourceId);
    const pair = await deps.pair(input.pair);
    const zone = normalizeName(pair.dns.zone);
    const fqdn = state?.fqdn ?? `${input.target.name}.postgres.database.azure.com`;
    let aRecord: string | null = null;
    let loginError: string | null = null;
    let lag: number | null = null;
    if (isReady(state)) {
      // Azure names a VNet-integrated server's A record itself; the server's public name leads to it through
      // a CNAME into the private zone, so the chain says which record it is.
      // Stryker disable next-line ArrowFunction: undefined reads as null below (r?.chain, r &&)
      const r = await deps.probe.resolve(fqdn).catch(() => null);
      const inZone = r?.chain.map(normalizeName).find((n) => n.endsWith(`.${zone}`));
      aRecord = inZone && r && r.addresses.length ? inZone.slice(0, -zone.length - 1) : null;
      try {
        const login = deps.login(pair);
        const [replica, primary] = await Promise.all([
          deps.probe.walPosition(fqdn, login, "verify-full"),
          deps.probe.walPosition(input.primary.fqdn, login, "verify-full"),
        ]);
        if (!replica.inRecovery) loginError = "it answers but is not in recovery";
        else if (replica.lsn && primary.lsn) lag = lagBytes(primary.lsn, replica.lsn);
      } catch (e) {
        loginError = describeError(e);
      }
    }
    const waiting = replicaWaitingFor({
      state,
      primaryId: input.primary.resourceId,
      lagBytes: lag,
      maxLagBytes: input.maxLagBytes,
      aRecord,
      loginError,
    });
    if (waiting.length) return { kind: "waiting", detail: waiting.join("; ") };
    return { kind: "ready", fqdn, aRecord: aRecord!, lagBytes: lag! };
  };
}

function isReady(s: ServerState | null): boolean {
  return s?.state?.toLowerCase() === "ready";
}
