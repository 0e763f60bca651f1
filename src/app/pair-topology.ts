// The live topology of a pair for GET /api/pairs: where the CNAME points and what each server is.
// Reads only; a part that cannot be read is reported with its error instead of failing the whole answer.
import type { ActivityDeps } from "../activities/deps";
import { cnameFqdn, serverRefs } from "../domain/pair-refs";
import type { PairConfig } from "../config/pair-schema";
import { describeError } from "../domain/describe-error";
import { sameName } from "../domain/names";
import { isStandalone } from "../domain/topology";

export async function pairTopology(deps: ActivityDeps, pair: PairConfig) {
  const refs = serverRefs(pair);
  const [cname, ...states] = await Promise.allSettled([
    deps.dns.getCname(pair.dns),
    ...refs.map((r) => deps.servers.get(r.resourceId)),
  ]);
  const target = cname.status === "fulfilled" ? cname.value.target : undefined;
  return {
    name: pair.name,
    cname: {
      name: cnameFqdn(pair),
      ...(cname.status === "fulfilled"
        ? { target: cname.value.target, ttl: cname.value.ttl }
        : { error: describeError(cname.reason) }),
    },
    promoteOption: pair.promoteOption,
    servers: refs.map((ref, i) => {
      const s = states[i]!;
      return {
        name: ref.name,
        resourceId: ref.resourceId,
        aRecord: ref.aRecordFqdn,
        servesCname: sameName(target, ref.aRecordFqdn),
        ...(s.status === "fulfilled"
          ? {
              state: s.value.state,
              role: s.value.role,
              location: s.value.location,
              replicationState: s.value.replicationState,
              sourceServer: s.value.sourceServerResourceId ?? null,
              standalone: isStandalone(s.value),
            }
          : { error: describeError(s.reason) }),
      };
    }),
  };
}
