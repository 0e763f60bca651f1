// Step 2: lower the CNAME's TTL so caches let go of the old answer quickly. Idempotent: a TTL that is
// already at the failover value is success.
import { sameName } from "../domain/names";
import type { LowerTtlInput, TtlResult } from "./contracts";
import type { ActivityDeps } from "./deps";

export function makeLowerTtl(deps: ActivityDeps) {
  return async (input: LowerTtlInput): Promise<TtlResult> => {
    const pair = await deps.pair(input.pair);
    const current = await deps.dns.getCname(pair.dns);
    if (!sameName(current.target, input.expected.target)) {
      return {
        kind: "refused",
        code: "ConcurrentChange",
        reason: `the CNAME was changed by someone else since preflight: it now points at ${current.target}, not ${input.expected.target}`,
      };
    }
    const done = { kind: "done" as const, previousTtl: input.expected.ttl };
    if (current.ttl === input.ttl) return { ...done, ttl: current.ttl, etag: current.etag, changed: false };
    // A 412 means only "re-read": it is thrown, the retry reads the record again and decides anew.
    const written = await deps.dns.putCname(pair.dns, { target: current.target, ttl: input.ttl }, current);
    return { ...done, ttl: written.ttl, etag: written.etag, changed: true };
  };
}
