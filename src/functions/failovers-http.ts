// POST /api/failovers starts a failover (one at a time per pair); GET /api/failovers/{id} reports it.
import { randomUUID } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ORCHESTRATION } from "../activities/names";
import { failoverView } from "../app/failover-view";
import { services } from "../app/services";
import { parseFailoverRequest } from "../domain/failover-request";
import { badRequest, error, json } from "../http/responses";
import type { FailoverInput } from "../orchestrations/failover-types";

services(); // validate the configuration at start-up: a bad setting stops the app with its name

const RUNNING = new Set(["Running", "Pending", "Suspended", "ContinuedAsNew"]);

export const failoverInstanceId = (pair: string) => `failover-${pair}`;

async function startFailover(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return badRequest("body", "must be a JSON object");
  }
  const parsed = parseFailoverRequest(body);
  if (!parsed.ok) return badRequest(parsed.field, parsed.message);
  const req = parsed.value;
  const { config } = services();
  const pair = config.pairs.find((p) => p.name === req.pair);
  if (!pair) {
    return error(
      404,
      "PairNotFound",
      `pair "${req.pair}" is not configured (configured: ${config.pairs.map((p) => p.name).join(", ")})`,
      { field: "pair" },
    );
  }

  const client = df.getClient(context);
  const runId = randomUUID();
  const dryRun = req.dryRun ?? false;
  const instanceId = dryRun ? `dryrun-${pair.name}-${runId.slice(0, 8)}` : failoverInstanceId(pair.name);
  const running = dryRun ? undefined : await runningInstance(client, instanceId);
  if (running) return conflict(request, client, running);

  const input: FailoverInput = {
    runId,
    pair: pair.name,
    option: req.option ?? pair.promoteOption,
    reason: req.reason,
    requestedBy: req.requestedBy ?? "unknown (set requestedBy)",
    requestedAt: new Date().toISOString(),
    source: "http",
    dryRun,
    policy: { ttl: pair.ttl, timings: pair.timings, retry: pair.retry },
  };
  try {
    await client.startNew(ORCHESTRATION.failover, { instanceId, input });
  } catch (e) {
    // Two requests raced past the check above: the host refuses the second start.
    const now = await runningInstance(client, instanceId);
    if (now) return conflict(request, client, now);
    throw e;
  }
  context.log(
    `failover ${instanceId} started: pair ${pair.name}, ${input.option}${dryRun ? ", dry run" : ""}, by ${input.requestedBy}`,
  );
  const statusUri = statusUrl(request, instanceId);
  return json(
    202,
    {
      ...client.createHttpManagementPayload(instanceId),
      id: instanceId,
      runId,
      pair: pair.name,
      option: input.option,
      dryRun,
      statusUri,
    },
    { location: statusUri, "retry-after": "5" },
  );
}

async function getFailover(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const id = request.params.id ?? "";
  if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) return badRequest("id", "must be a failover id such as failover-<pair>");
  const client = df.getClient(context);
  const status = await statusOf(client, id, { showInput: true });
  if (!status) return error(404, "FailoverNotFound", `no failover with id "${id}"`, { field: "id" });
  const runId = (status.input as FailoverInput | undefined)?.runId;
  const timeline = runId ? await services().deps.journal.list(runId) : [];
  return json(RUNNING.has(status.runtimeStatus) ? 202 : 200, failoverView(status, timeline));
}

async function runningInstance(client: df.DurableClient, instanceId: string) {
  const s = await statusOf(client, instanceId);
  return s && RUNNING.has(s.runtimeStatus) ? s : undefined;
}

/** The instance's status, or undefined when the task hub has no such instance (the client throws on 404). */
async function statusOf(client: df.DurableClient, instanceId: string, options?: df.GetStatusOptions) {
  try {
    return await client.getStatus(instanceId, options);
  } catch (e) {
    if (/HTTP 404/.test((e as Error).message)) return undefined;
    throw e;
  }
}

function conflict(
  request: HttpRequest,
  client: df.DurableClient,
  running: df.DurableOrchestrationStatus,
): HttpResponseInit {
  const statusUri = statusUrl(request, running.instanceId);
  return error(
    409,
    "FailoverInProgress",
    `a failover of this pair is already running (${running.instanceId}, ${running.runtimeStatus}); follow it at ${statusUri}`,
    {
      ...client.createHttpManagementPayload(running.instanceId),
      id: running.instanceId,
      statusUri,
    },
  );
}

function statusUrl(request: HttpRequest, id: string): string {
  const u = new URL(request.url);
  return `${u.origin}/api/failovers/${encodeURIComponent(id)}`;
}

app.http("failovers-start", {
  route: "failovers",
  methods: ["POST"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: startFailover,
});

app.http("failovers-get", {
  route: "failovers/{id}",
  methods: ["GET"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: getFailover,
});
