// A person's request takes over an alert run that has changed nothing yet: one still confirming the alert,
// or waiting for approval. The alert run is given an abort (stored like any decision, by the person) and ends
// with nothing changed, releasing the pair's lease; the person's run then starts. A run past its first change
// is never interrupted: the person gets the usual 409 with its status URL.
import type * as df from "durable-functions";
import type { Principal } from "../auth/principal";
import { statusOf } from "./durable-status";
import type { FailoverInput, FailoverStatus } from "../orchestrations/failover-types";
import type { Lease } from "../state/pair-leases";
import type { DecisionStore } from "../state/decisions";
import { submitDecision } from "./decisions";
import { RUNNING } from "./durable-status";

/** Steps before an alert run's first change: it may still be stopped with nothing to undo. */
const BEFORE_ANY_CHANGE = new Set(["preflight", "confirm", "approval"]);

export type Takeover = "takenOver" | "notAnAlertRun" | "pastFirstChange" | "stillEnding";

export async function takeOverAlertRun(
  client: df.DurableClient,
  decisions: DecisionStore,
  holder: Lease,
  by: Principal,
  reason: string,
  o: { waitMs?: number; pollMs?: number } = {},
): Promise<Takeover> {
  const status = await statusOf(client, holder.instanceId, { showInput: true });
  const input = status?.input as FailoverInput | undefined;
  if (!status || input?.source !== "alert") return "notAnAlertRun";
  const step = (status.customStatus as FailoverStatus | undefined)?.step;
  if (!RUNNING.has(status.runtimeStatus) || !step || !BEFORE_ANY_CHANGE.has(step)) return "pastFirstChange";
  await submitDecision(client, decisions, holder.instanceId, {
    decision: "abort",
    principal: by,
    reason: `taken over by a request of ${by.name}: ${reason}`,
    at: new Date().toISOString(),
  });
  const deadline = Date.now() + (o.waitMs ?? 20_000);
  while (Date.now() < deadline) {
    const s = await statusOf(client, holder.instanceId);
    if (!s || !RUNNING.has(s.runtimeStatus)) return "takenOver";
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
  return "stillEnding";
}
