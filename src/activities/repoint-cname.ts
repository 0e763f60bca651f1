// Step 6: point the CNAME at the promoted server's A record. Idempotent (already there = success) and
// never clobbers someone else's change: the record must still point at the old primary, and the write
// carries If-Match.
import { sameName } from "../domain/names";
import type { RepointInput, RepointResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeRepointCname(deps: ActivityDeps) {
  return async (input: RepointInput): Promise<RepointResult> => {
    const pair = await deps.pair(input.pair);
    const current = await deps.dns.getCname(pair.dns);
    if (sameName(current.target, input.toTarget)) return { kind: "done", changed: false, cname: current };
    if (!sameName(current.target, input.fromTarget)) {
      return {
        kind: "refused",
        code: "ConcurrentChange",
        reason: `the CNAME now points at ${current.target}, set by someone else (expected ${input.fromTarget}); not overwriting it`,
        cname: current,
      };
    }
    // A 412 means only "re-read": it is thrown, the retry reads the record again and decides anew.
    const written = await deps.dns.putCname(pair.dns, { target: input.toTarget, ttl: current.ttl }, current);
    return { kind: "done", changed: true, cname: written };
  };
}
