// POST /api/evacuations {region, option, reason, pairs?} fails over every pair whose primary is in the
// region (Failover.Request); GET /api/evacuations/{id} reports it with each pair's run and live step
// (Failover.Read). Approve/abort: /api/evacuations/{id}/approve|abort (see failover-decisions-http.ts).
import { randomUUID } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ORCHESTRATION } from "../activities/catalog";
import { services } from "../app/services";
import { ROLES } from "../auth/roles";
import { who } from "../auth/who";
import { parseEvacuationRequest } from "../domain/evacuation-request";
import { authorize } from "../http/authorize";
import { badRequest, error, json, readJsonBody } from "../http/responses";
import type { EvacuationInput, EvacuationOutput, EvacuationStatus } from "../orchestrations/evacuation-types";
import type { FailoverStatus } from "../orchestrations/failover-types";
import { RUNNING, runProgress, statusOf } from "../app/durable-status";

services(); // validate the configuration at start-up

async function startEvacuation(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.request);
  if (!caller.ok) return caller.response;
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = parseEvacuationRequest(body.value);
  if (!parsed.ok) return badRequest(parsed.field, parsed.message);
  const req = parsed.value;
  const { config, deps } = services();
  const unknown = (req.pairs ?? []).filter((p) => !config.pairs.some((c) => c.name === p));
  if (unknown.length) return error(404, "PairNotFound", `not configured: ${unknown.join(", ")}`, { field: "pairs" });
  const scope = config.pairs.filter((p) => !req.pairs || req.pairs.includes(p.name));
  const runId = randomUUID();
  const id = `evacuation-${req.region}-${runId}`;
  const input: EvacuationInput = {
    runId,
    region: req.region,
    option: req.option ?? "Planned",
    reason: req.reason,
    requester: caller.principal,
    note: req.requestedBy ?? null,
    requestedAt: new Date().toISOString(),
    pairs: req.pairs ?? null,
    acceptDataLoss: req.acceptDataLoss ?? false,
    concurrency: req.concurrency ?? 8,
    // One approval covers the evacuation: the strictest rule among the pairs it may include.
    policy: {
      approval: {
        twoPerson: scope.some((p) => p.approval.twoPerson),
        timeoutMinutes: Math.min(...scope.map((p) => p.approval.timeoutMinutes)),
      },
    },
  };
  await deps.journal.append({
    runId,
    pair: `evacuation:${req.region}`,
    step: "run",
    event: "requested",
    summary: `evacuation of ${req.region} (${input.option}) requested by ${who(caller.principal)}: ${req.reason}`,
    detail: { instanceId: id, ...input },
  });
  await df.getClient(context).startNew(ORCHESTRATION.evacuation, { instanceId: id, input });
  const statusUri = `${new URL(request.url).origin}/api/evacuations/${encodeURIComponent(id)}`;
  return json(
    202,
    { id, runId, region: req.region, option: input.option, statusUri },
    { location: statusUri, "retry-after": "5" },
  );
}

async function getEvacuation(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const id = request.params.id ?? "";
  if (!/^evacuation-[a-z0-9]{2,40}-[0-9a-f-]{36}$/.test(id)) return badRequest("id", "must be an evacuation id");
  const client = df.getClient(context);
  const status = await statusOf(client, id, { showInput: true });
  if (!status) return error(404, "EvacuationNotFound", `no evacuation with id "${id}"`, { field: "id" });
  const input = status.input as EvacuationInput;
  const output = status.runtimeStatus === "Completed" ? (status.output as EvacuationOutput) : undefined;
  const custom = status.customStatus as EvacuationStatus | undefined;
  const pairs = output?.pairs ?? custom?.pairs ?? [];
  // Each pair's own run says which step it is on.
  const live = await Promise.all(
    pairs.map(async (p) => {
      if (!p.id || p.outcome !== "running") return p;
      const s = await statusOf(client, p.id).catch(() => undefined);
      const step = (s?.customStatus as FailoverStatus | undefined)?.step;
      return { ...p, step: step ?? null };
    }),
  );
  const origin = new URL(request.url).origin;
  return json(RUNNING.has(status.runtimeStatus) ? 202 : 200, {
    id,
    runId: input.runId,
    region: input.region,
    option: input.option,
    reason: input.reason,
    requester: input.requester,
    ...runProgress(status, output?.outcome, custom),
    pairs: live.map((p) => ({ ...p, statusUri: p.id ? `${origin}/api/failovers/${encodeURIComponent(p.id)}` : null })),
    summary: output?.summary ?? null,
    plan: output?.plan ?? null,
    approval: output?.approval ?? null,
    phases: output?.phases ?? null,
    startedAt: output?.startedAt ?? status.createdTime,
    endedAt: output?.endedAt ?? null,
  });
}

app.http("evacuations-start", {
  route: "evacuations",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: startEvacuation,
});

app.http("evacuations-get", {
  route: "evacuations/{id}",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: getEvacuation,
});
