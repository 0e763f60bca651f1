// Starting a re-protection: take the pair's lease (the same one a failover takes: never both at once), put the
// request on record, start the orchestration.
import { randomUUID } from "node:crypto";
import type * as df from "durable-functions";
import { ORCHESTRATION } from "../activities/catalog";
import type { Principal } from "../auth/principal";
import { who } from "../auth/who";
import { runPolicy, type PairConfig } from "../config/pair-schema";
import { needsApproval } from "../domain/approval";
import type { ReprotectRequest } from "../domain/reprotect-request";
import type { ReprotectInput } from "../orchestrations/reprotect-types";
import { acquireLease } from "../state/single-flight";
import type { Services } from "./services";
import { runState, type Started } from "./start-run";

export const reprotectInstanceId = (pair: string, runId: string) => `reprotect-${pair}-${runId}`;

export async function startReprotect(
  svc: Services,
  client: df.DurableClient,
  pair: PairConfig,
  req: ReprotectRequest,
  requester: Principal,
): Promise<Started> {
  const runId = randomUUID();
  const instanceId = reprotectInstanceId(pair.name, runId);
  const requestedAt = new Date().toISOString();
  const lease = await acquireLease(
    svc.leases,
    { pair: pair.name, runId, instanceId, acquiredAt: requestedAt },
    (held) => runState(client, held.instanceId),
  );
  if (!lease.ok) return { started: false, holder: lease.holder };
  const retireOld = req.retireOld ?? "keep";
  const policy = runPolicy(pair);
  // Deleting a server destroys whatever it holds: always a second person, whatever the pair's rule.
  const del = retireOld === "delete";
  const input: ReprotectInput = {
    runId,
    pair: pair.name,
    reason: req.reason,
    requester,
    note: req.requestedBy ?? null,
    requestedAt,
    region: req.region ?? null,
    name: req.name ?? null,
    retireOld,
    policy: del ? { ...policy, approval: { ...policy.approval, twoPerson: true } } : policy,
    needsApproval: del || needsApproval(policy.approval.mode, "Planned"),
  };
  await svc.deps.journal.append({
    runId,
    pair: pair.name,
    step: "run",
    event: "requested",
    summary: `re-protection (old server: ${retireOld}) requested by ${who(requester)}: ${req.reason}${req.requestedBy ? ` [note: ${req.requestedBy}]` : ""}`,
    detail: {
      instanceId,
      kind: "reprotect",
      region: input.region,
      name: input.name,
      retireOld,
      requester,
      reason: req.reason,
    },
  });
  try {
    await client.startNew(ORCHESTRATION.reprotect, { instanceId, input });
  } catch (e) {
    await svc.leases.release(pair.name, runId);
    throw e;
  }
  return { started: true, instanceId, runId };
}
