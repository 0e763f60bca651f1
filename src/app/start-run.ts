// Starting a failover run, whoever asks (a person over HTTP, or an alert): take the pair's lease, put the
// request on record (so the run can be found by its runId before it starts), start the orchestration.
import { randomUUID } from "node:crypto";
import type * as df from "durable-functions";
import { ORCHESTRATION } from "../activities/catalog";
import type { Principal } from "../auth/principal";
import { who } from "../auth/who";
import type { PairConfig } from "../config/pair-schema";
import type { PromoteOption } from "../domain/facts";
import { runPolicy, type RunPolicy } from "../config/pair-schema";
import type { AlertRef, FailoverInput } from "../orchestrations/failover-types";
import type { Lease } from "../state/pair-leases";
import { RUNNING, statusOf } from "./durable-status";
import type { Services } from "./services";
import { acquireLease, type RunState } from "../state/single-flight";

/** Each run has its own instance id, so its status URL keeps reporting that run. */
export const failoverInstanceId = (pair: string, runId: string, dryRun: boolean) =>
  `${dryRun ? "dryrun" : "failover"}-${pair}-${runId}`;

export interface RunRequest {
  pair: PairConfig;
  option: PromoteOption;
  reason: string;
  requester: Principal;
  note: string | null;
  source: FailoverInput["source"];
  dryRun: boolean;
  mode: FailoverInput["mode"];
  acceptDataLoss: boolean;
  alert?: AlertRef;
  /** Changes to the pair's policy for this run (an alert's approval rule). */
  policy?: (p: RunPolicy) => RunPolicy;
}

export type Started = { started: true; instanceId: string; runId: string } | { started: false; holder: Lease };

export async function startRun(svc: Services, client: df.DurableClient, r: RunRequest): Promise<Started> {
  const runId = randomUUID();
  const instanceId = failoverInstanceId(r.pair.name, runId, r.dryRun);
  const requestedAt = new Date().toISOString();
  if (!r.dryRun) {
    const lease = await acquireLease(
      svc.leases,
      { pair: r.pair.name, runId, instanceId, acquiredAt: requestedAt },
      (held) => runState(client, held.instanceId),
    );
    if (!lease.ok) return { started: false, holder: lease.holder };
  }
  const policy = runPolicy(r.pair);
  const input: FailoverInput = {
    runId,
    pair: r.pair.name,
    option: r.option,
    reason: r.reason,
    requester: r.requester,
    note: r.note,
    requestedAt,
    source: r.source,
    dryRun: r.dryRun,
    mode: r.mode,
    acceptDataLoss: r.acceptDataLoss,
    policy: r.policy ? r.policy(policy) : policy,
    ...(r.alert ? { alert: r.alert } : {}),
  };
  const what = `${r.dryRun ? "dry run of a " : ""}${r.option} ${r.mode === "complete" ? "completion of a failover" : "failover"}`;
  await svc.deps.journal.append({
    runId,
    pair: r.pair.name,
    step: "run",
    event: "requested",
    summary: `${what} requested by ${who(r.requester)} (${r.source}): ${r.reason}${r.note ? ` [note: ${r.note}]` : ""}`,
    detail: {
      instanceId,
      option: r.option,
      mode: r.mode,
      acceptDataLoss: r.acceptDataLoss,
      dryRun: r.dryRun,
      requester: r.requester,
      note: r.note,
      reason: r.reason,
      ...(r.alert ? { alert: r.alert } : {}),
    },
  });
  try {
    await client.startNew(ORCHESTRATION.failover, { instanceId, input });
  } catch (e) {
    if (!r.dryRun) await svc.leases.release(r.pair.name, runId);
    throw e;
  }
  return { started: true, instanceId, runId };
}

export async function runState(client: df.DurableClient, instanceId: string): Promise<RunState> {
  const s = await statusOf(client, instanceId);
  return !s ? "unknown" : RUNNING.has(s.runtimeStatus) ? "running" : "ended";
}

/** Where a run's status is read: a re-protection's at /api/reprotects, any failover's (dry runs too) at /api/failovers. */
export function statusUrl(requestUrl: string, id: string): string {
  const kind = id.startsWith("reprotect-") ? "reprotects" : "failovers";
  return `${new URL(requestUrl).origin}/api/${kind}/${encodeURIComponent(id)}`;
}
