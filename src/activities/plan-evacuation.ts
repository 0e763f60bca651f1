// An evacuation's plan: for each configured pair (or the ones named), where its primary is (the server the
// CNAME serves, and that server's region as ARM reports it), so only pairs whose primary is in the region
// fail over. Reads only; a pair that cannot be read is left out with the reason.
import { describeError } from "../domain/describe-error";
import { needsApproval } from "../domain/approval";
import { lastAliveSample } from "../domain/lag";
import { sameName } from "../domain/names";
import { serverRefs } from "../domain/pair-refs";
import { runPolicy } from "../config/pair-schema";
import type { PlannedPair } from "./contracts";
import type { PlanEvacuationInput, PlanEvacuationResult } from "./contracts";
import type { ActivityDeps } from "./deps";

/** ARM reports "East US"; people and alerts say "eastus". */
export const regionKey = (r: string | undefined | null) => (r ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");

export function makePlanEvacuation(deps: ActivityDeps, pairNames: () => string[]) {
  return async (input: PlanEvacuationInput): Promise<PlanEvacuationResult> => {
    const names = input.pairs ?? pairNames();
    const unknown = names.filter((n) => !pairNames().includes(n));
    if (unknown.length)
      return { kind: "refused", code: "PairNotFound", reason: `not configured: ${unknown.join(", ")}` };
    const plan = await Promise.all(names.map((name) => planPair(deps, name, input)));
    return { kind: "planned", plan };
  };
}

async function planPair(deps: ActivityDeps, name: string, input: PlanEvacuationInput): Promise<PlannedPair> {
  const base = { pair: name, primary: null, region: null, policy: null, needsApproval: false, risk: null };
  try {
    const pair = await deps.pair(name);
    const cname = await deps.dns.getCname(pair.dns);
    const ref = serverRefs(pair).find((r) => sameName(r.aRecordFqdn, cname.target));
    if (!ref) return { ...base, included: false, reason: `its CNAME points at ${cname.target}, neither server` };
    const state = await deps.servers.get(ref.resourceId);
    const inRegion = regionKey(state.location) === regionKey(input.region);
    const policy = runPolicy(pair);
    // Stryker disable next-line ArrayDeclaration: an element that is not a sample is no alive sample either
    const sample = lastAliveSample(await deps.state.samples(name).catch(() => []), ref.name);
    return {
      pair: name,
      included: inRegion,
      reason: inRegion
        ? `its primary ${ref.name} is in ${state.location}`
        : `its primary ${ref.name} is in ${state.location ?? "an unknown region"}`,
      primary: ref.name,
      region: state.location ?? null,
      policy,
      needsApproval: needsApproval(policy.approval.mode, input.option),
      risk: sample
        ? { bytes: sample.bytes, replaySeconds: sample.replaySeconds, source: "sample", measuredAt: sample.at }
        : null,
    };
  } catch (e) {
    return { ...base, included: false, reason: `could not be read: ${describeError(e)}` };
  }
}
