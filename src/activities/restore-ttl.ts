// Step 8: put the CNAME's TTL back. Only on a record that still points at one of our two servers: a
// record someone else repointed is left alone and reported.
import { sameName } from "../domain/names";
import type { RestoreTtlInput, TtlResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeRestoreTtl(deps: ActivityDeps) {
  return async (input: RestoreTtlInput): Promise<TtlResult> => {
    const pair = await deps.pair(input.pair);
    const current = await deps.dns.getCname(pair.dns);
    if (!input.ownTargets.some((t) => sameName(t, current.target))) {
      return {
        kind: "refused",
        code: "ConcurrentChange",
        reason: `the CNAME points at ${current.target}, set by someone else; its TTL is left alone`,
      };
    }
    const done = { kind: "done" as const, previousTtl: current.ttl };
    if (current.ttl === input.ttl) return { ...done, ttl: current.ttl, etag: current.etag, changed: false };
    // A 412 is thrown: the retry re-reads the record and decides anew.
    const written = await deps.dns.putCname(pair.dns, { target: current.target, ttl: input.ttl }, current);
    return { ...done, ttl: written.ttl, etag: written.etag, changed: true };
  };
}
