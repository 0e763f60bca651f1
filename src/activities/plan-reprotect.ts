// Re-protection, step 1: read the CNAME and both members, prove the primary writable, and plan the new replica:
// its region (the old server's by default), its name (never one that exists), its network (the old server's:
// a replica in that region goes where the old one was). Changes nothing.
import { describeError } from "../domain/describe-error";
import type { ServerState } from "../domain/facts";
import { lastAliveSample, type DataAtRisk } from "../domain/lag";
import { sameName, sameResourceId } from "../domain/names";
import { isReplicaRole } from "../domain/topology";
import { serverRefs } from "../domain/pair-refs";
import { decideReprotect, replicaName, SERVER_NAME, SERVER_NAME_RULE, siblingId } from "../domain/reprotect";
import type { ActivityDeps } from "./deps";
import { serverIfExists } from "./server-if-exists";
import type { PlanReprotectInput, PlanReprotectResult } from "./reprotect-contracts";

export function makePlanReprotect(deps: ActivityDeps) {
  return async (input: PlanReprotectInput): Promise<PlanReprotectResult> => {
    const pair = await deps.pair(input.pair);
    const refs = serverRefs(pair);
    const [cname, s0, s1] = await Promise.all([
      deps.dns.getCname(pair.dns),
      serverIfExists(deps, refs[0].resourceId),
      serverIfExists(deps, refs[1].resourceId),
    ]);
    const states: [ServerState | null, ServerState | null] = [s0, s1];
    const current = refs.findIndex((r) => sameName(r.aRecordFqdn, cname.target));
    // With the CNAME on neither member, decideReprotect refuses before it reads what these three hold.
    const primaryState = current >= 0 ? states[current] : null;
    // Stryker disable next-line StringLiteral: not read when the CNAME is on neither member (see above)
    const fqdn = primaryState?.fqdn ?? (current >= 0 ? refs[current]!.aRecordFqdn : "");
    // Stryker disable next-line BooleanLiteral: only changed when the CNAME is on a member (see above)
    let writable = false;
    let why = "";
    if (current >= 0) {
      const f = await deps.probe.inspect(fqdn, deps.login(pair), "verify-full", { write: true }).catch((e: unknown) => {
        why = describeError(e);
        return null;
      });
      writable = !!f && !f.inRecovery && f.transactionReadOnly === "off" && f.wroteAndRolledBack;
      if (f && !writable) why = `in recovery ${f.inRecovery}, transaction_read_only ${f.transactionReadOnly}`;
    }
    const d = decideReprotect(refs, states, cname.target, writable);
    if (!d.ok) return { kind: "refused", code: d.code, reason: why ? `${d.reason} (${why})` : d.reason };
    const primary = refs[d.primaryIndex];
    const old = refs[d.oldIndex];
    const oldState = states[d.oldIndex];

    const location = input.region ?? oldState?.location ?? null;
    if (!location)
      return {
        kind: "refused",
        code: "RegionUnknown",
        reason: `ARM no longer has ${old.name}, so its region is unknown: name the region to protect (region)`,
      };
    const name = replicaName(input.name, old.name, input.runId);
    if (!SERVER_NAME.test(name))
      return { kind: "refused", code: "InvalidName", reason: `"${name}" is not a server name: ${SERVER_NAME_RULE}` };
    const resourceId = siblingId(primary.resourceId, name);
    const existing = await serverIfExists(deps, resourceId);
    // A replica of this primary under that name (made by hand, or by a run that stopped) is adopted, not created
    // again; any other server of that name is refused: a name is never reused.
    const adopt =
      !!existing && isReplicaRole(existing.role) && sameResourceId(existing.sourceServerResourceId, primary.resourceId);
    if (existing && !adopt)
      return {
        kind: "refused",
        code: "NameTaken",
        reason: `a server named ${name} exists already (${existing.state ?? "?"}, role ${existing.role ?? "none"}): a name is never reused`,
      };
    const warnings: string[] = adopt
      ? [`${name} exists and is a replica of ${primary.name}: it is adopted, not created`]
      : [];
    const network = oldState?.network ?? null;
    if (!oldState)
      warnings.push(`${old.name} is gone from ARM: the replica is created without its network settings to copy`);
    if (oldState && location.toLowerCase() !== oldState.location?.toLowerCase() && network?.delegatedSubnetResourceId)
      return {
        kind: "refused",
        code: "NoNetworkInRegion",
        reason: `${old.name}'s delegated subnet is in ${oldState.location}, not ${location}: re-protect into ${oldState.location}, or create the replica by hand`,
      };
    return {
      kind: "planned",
      primary: { ...primary, fqdn, location: primaryState?.location ?? null },
      old: { ...old, state: oldState },
      // Stryker disable next-line OptionalChaining: adopt is true only when existing is a server
      target: { resourceId, name, location: adopt ? (existing?.location ?? location) : location, network },
      oldRisk: await oldServerRisk(deps, input.pair, old.name),
      warnings,
    };
  };
}

/** The last lag sample taken while the old server was the primary: what it may hold that the pair lost. */
async function oldServerRisk(deps: ActivityDeps, pair: string, oldName: string): Promise<DataAtRisk> {
  // Stryker disable next-line ArrayDeclaration: an element that is not a sample is no alive sample either
  const sample = lastAliveSample(await deps.state.samples(pair).catch(() => []), oldName);
  if (!sample) return { bytes: null, replaySeconds: null, source: "unknown", measuredAt: null };
  return { bytes: sample.bytes, replaySeconds: sample.replaySeconds, source: "sample", measuredAt: sample.at };
}
