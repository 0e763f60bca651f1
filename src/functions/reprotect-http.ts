// POST /api/pairs/{pair}/reprotect {reason, region?, name?, retireOld?} gives the pair a replica again after a
// failover (Failover.Request; approved by the pair's rule, a delete always by a second person); GET
// /api/reprotects/{id} reports it (Failover.Read). Approve/abort: /api/reprotects/{id}/approve|abort.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { RUNNING, runProgress, statusOf } from "../app/durable-status";
import { redact } from "../audit/redact";
import { services } from "../app/services";
import { startReprotect } from "../app/start-reprotect";
import { statusUrl } from "../app/start-run";
import { ROLES } from "../auth/roles";
import { who } from "../auth/who";
import { PAIR_NAME } from "../domain/names";
import { parseReprotectRequest } from "../domain/reprotect-request";
import { authorize } from "../http/authorize";
import { badRequest, error, json, readJsonBody } from "../http/responses";
import type { ReprotectInput, ReprotectOutput, ReprotectStatus } from "../orchestrations/reprotect-types";

services(); // validate the configuration at start-up

async function start(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.request);
  if (!caller.ok) return caller.response;
  const name = request.params.pair ?? "";
  if (!PAIR_NAME.test(name)) return badRequest("pair", "must be a configured pair's name");
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = parseReprotectRequest(body.value);
  if (!parsed.ok) return badRequest(parsed.field, parsed.message);
  const { config } = services();
  const pair = config.pairs.find((p) => p.name === name);
  if (!pair) {
    const known = config.pairs.map((p) => p.name).join(", ");
    return error(404, "PairNotFound", `pair "${name}" is not configured (configured: ${known})`, { field: "pair" });
  }
  const run = await startReprotect(services(), df.getClient(context), pair, parsed.value, caller.principal);
  if (!run.started) {
    const statusUri = statusUrl(request.url, run.holder.instanceId);
    return error(
      409,
      "RunInProgress",
      `a run holds pair ${name} (${run.holder.instanceId}); follow it at ${statusUri}`,
      {
        id: run.holder.instanceId,
        runId: run.holder.runId,
        statusUri,
      },
    );
  }
  context.log(`re-protection ${run.instanceId} started by ${who(caller.principal)}`);
  const statusUri = statusUrl(request.url, run.instanceId);
  return json(
    202,
    { id: run.instanceId, runId: run.runId, pair: name, retireOld: parsed.value.retireOld ?? "keep", statusUri },
    { location: statusUri, "retry-after": "10" },
  );
}

async function get(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const id = request.params.id ?? "";
  if (!/^reprotect-[a-z0-9-]{1,40}-[0-9a-f-]{36}$/.test(id)) return badRequest("id", "must be a re-protection id");
  const status = await statusOf(df.getClient(context), id, { showInput: true });
  if (!status) return error(404, "ReprotectNotFound", `no re-protection with id "${id}"`, { field: "id" });
  const input = status.input as ReprotectInput;
  const output = status.runtimeStatus === "Completed" ? (status.output as ReprotectOutput) : undefined;
  const custom = status.customStatus as ReprotectStatus | undefined;
  const timeline = await services().deps.journal.list(input.runId);
  // Redacted like a failover's view: reasons and notes carry ARM and driver messages.
  return json(
    RUNNING.has(status.runtimeStatus) ? 202 : 200,
    redact({
      id,
      runId: input.runId,
      pair: input.pair,
      reason: input.reason,
      requester: input.requester,
      retireOld: input.retireOld,
      ...runProgress(status, output?.outcome, custom),
      result: output ?? null,
      timeline: timeline.map((e) => ({
        at: e.at,
        step: e.step,
        event: e.event,
        attempt: e.attempt,
        summary: e.summary,
      })),
    }),
  );
}

app.http("reprotect-start", {
  route: "pairs/{pair}/reprotect",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: start,
});

app.http("reprotect-get", {
  route: "reprotects/{id}",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: get,
});
