import type * as df from "durable-functions";

/**
 * An instance's status, or undefined when the task hub has no such instance. The durable client reports
 * that as a thrown Error whose message names HTTP 404 (it exposes no status code), so that message is the
 * one thing matched — here, once.
 */
export async function statusOf(client: df.DurableClient, instanceId: string, options?: df.GetStatusOptions) {
  try {
    return await client.getStatus(instanceId, options);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}
