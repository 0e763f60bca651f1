// Re-protection, step 5: the new replica becomes the pair's second member, in the membership the app owns (no
// redeploy). The change is checked, written over the membership it was decided on, and audited with who and why
// (membership-change.ts); a retry that finds it done is "joined" again.
import { replaceMember } from "./membership-change";
import type { ActivityDeps } from "./deps";
import type { JoinPairInput, JoinPairResult } from "./reprotect-contracts";

export function makeJoinPair(deps: ActivityDeps) {
  return async (input: JoinPairInput): Promise<JoinPairResult> => {
    const r = await replaceMember(
      deps,
      input.pair,
      { remove: input.remove, add: input.add },
      { principal: input.requester, reason: input.reason, runId: input.runId },
    );
    if (r.kind === "refused") return { kind: "refused", code: r.code, reason: r.reason };
    return {
      kind: "joined",
      members: r.membership.servers.map((s) => ({ resourceId: s.resourceId, aRecord: s.aRecord })),
    };
  };
}
