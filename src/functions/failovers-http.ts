// POST /api/failovers starts a failover (one at a time per pair); GET /api/failovers/{id} reports it.
// Responses carry only this app's own URLs: never the Durable extension's management URLs, whose
// `code=` is the system key that would let a caller start, terminate or purge any orchestration.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { failoverView } from "../app/failover-view";
import { services } from "../app/services";
import { startRun, statusUrl } from "../app/start-run";
import { takeOverAlertRun } from "../app/takeover";
import { who } from "../auth/who";
import { ROLES } from "../auth/roles";
import { parseFailoverRequest } from "../domain/failover-request";
import { authorize } from "../http/authorize";
import { badRequest, error, json, readJsonBody } from "../http/responses";
import type { FailoverInput } from "../orchestrations/failover-types";
import { RUNNING, statusOf } from "../app/durable-status";

services(); // validate the configuration at start-up: a bad setting stops the app with its name

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function startFailover(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.request);
  if (!caller.ok) return caller.response;
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = parseFailoverRequest(body.value);
  if (!parsed.ok) return badRequest(parsed.field, parsed.message);
  const req = parsed.value;
  const { config } = services();
  const pair = config.pairs.find((p) => p.name === req.pair);
  if (!pair) {
    const known = config.pairs.map((p) => p.name).join(", ");
    return error(404, "PairNotFound", `pair "${req.pair}" is not configured (configured: ${known})`, { field: "pair" });
  }

  const client = df.getClient(context);
  const dryRun = req.dryRun ?? false;
  const option = req.option ?? pair.promoteOption;
  const start = () =>
    startRun(services(), client, {
      pair,
      option,
      reason: req.reason,
      requester: caller.principal,
      note: req.requestedBy ?? null,
      source: "http",
      dryRun,
      mode: req.complete ? "complete" : "failover",
      acceptDataLoss: req.acceptDataLoss ?? false,
    });
  let run = await start();
  if (!run.started) {
    // A person's request takes over an alert run that has changed nothing yet.
    const t = await takeOverAlertRun(client, services().deps.decisions, run.holder, caller.principal, req.reason);
    if (t === "takenOver") {
      context.log(`failover ${run.holder.instanceId}: the alert run was taken over by ${who(caller.principal)}`);
      run = await start();
    }
  }
  if (!run.started) return conflict(request, run.holder.instanceId, run.holder.runId);
  context.log(`failover ${run.instanceId} started: pair ${pair.name}, ${option}${dryRun ? ", dry run" : ""}`);
  const statusUri = statusUrl(request.url, run.instanceId);
  return json(
    202,
    { id: run.instanceId, runId: run.runId, pair: pair.name, option, dryRun, statusUri },
    { location: statusUri, "retry-after": "5" },
  );
}

async function getFailover(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const given = request.params.id ?? "";
  if (!/^[A-Za-z0-9-]{1,120}$/.test(given)) return badRequest("id", "must be a failover id or a runId");
  const journal = services().deps.journal;
  const id = UUID.test(given) ? await instanceIdOfRun(given) : given;
  const client = df.getClient(context);
  const status = id ? await statusOf(client, id, { showInput: true }) : undefined;
  if (!status) return error(404, "FailoverNotFound", `no failover with id "${given}"`, { field: "id" });
  const input = status.input as FailoverInput | undefined;
  const [timeline, fence] = await Promise.all([
    input ? journal.list(input.runId) : [],
    input ? services().deps.state.fence(input.pair) : undefined,
  ]);
  return json(RUNNING.has(status.runtimeStatus) ? 202 : 200, failoverView(status, timeline, fence));

  async function instanceIdOfRun(runId: string): Promise<string | undefined> {
    const requested = (await journal.list(runId)).find((e) => e.step === "run" && e.event === "requested");
    const d = requested?.detail as { instanceId?: unknown } | undefined;
    return typeof d?.instanceId === "string" ? d.instanceId : undefined;
  }
}

function conflict(request: HttpRequest, instanceId: string, runId: string): HttpResponseInit {
  const statusUri = statusUrl(request.url, instanceId);
  return error(
    409,
    "FailoverInProgress",
    `a failover of this pair is already running (${instanceId}); follow it at ${statusUri}`,
    {
      id: instanceId,
      runId,
      statusUri,
    },
  );
}

app.http("failovers-start", {
  route: "failovers",
  methods: ["POST"],
  // Identity, not a shared key: App Service Authentication validates the caller; the handler checks its role.
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: startFailover,
});

app.http("failovers-get", {
  route: "failovers/{id}",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: getFailover,
});
