// Gives a run an approver's answer: stored first (verified principal, reason, time, under a random nonce),
// then only the nonce is raised as the durable event "decision". The run reads the stored decision back, so
// an event raised any other way names no decision and is ignored (and audited as such).
import type { DurableClient } from "durable-functions";
import type { DecisionRef } from "../domain/approval";
import type { DecisionStore, StoredDecision } from "../state/decisions";

export async function submitDecision(
  client: Pick<DurableClient, "raiseEvent">,
  store: DecisionStore,
  instanceId: string,
  d: Omit<StoredDecision, "instanceId">,
): Promise<void> {
  const nonce = await store.put({ ...d, instanceId });
  const ref: DecisionRef = { nonce };
  await client.raiseEvent(instanceId, "decision", ref);
}
