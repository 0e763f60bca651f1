// POST /api/failovers/{id}/approve and /abort {reason} (the same for /api/evacuations/{id} and
// /api/reprotects/{id}): a second
// person's answer to a run waiting for approval. The caller is a verified principal; the two-person rule is
// checked here (a clear 403) and again inside the orchestration. The decision is stored here and only its
// nonce is raised: an event raised any other way names no stored decision and is ignored (and audited).
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { z } from "zod";
import { ROLES } from "../auth/roles";
import { who } from "../auth/who";
import { decisionAllowed } from "../domain/approval";
import { freeText } from "../domain/failover-request";
import { authorize } from "../http/authorize";
import { badRequest, error, json, readJsonBody } from "../http/responses";
import type { Decision, FailoverInput, FailoverStatus } from "../orchestrations/failover-types";
import { submitDecision } from "../app/decisions";
import { services } from "../app/services";
import { statusOf } from "../app/durable-status";

services(); // validate the configuration at start-up

const decisionBody = z.strictObject({ reason: freeText("say why (it goes into the audit)", { min: 3, max: 500 }) });

function decide(decision: Decision["decision"], kind: "failovers" | "evacuations" | "reprotects") {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    // Aborting needs the approver role or being the requester; checked below against the run.
    const caller = await authorize(request, decision === "approve" ? ROLES.approve : ROLES.read);
    if (!caller.ok) return caller.response;
    const id = request.params.id ?? "";
    if (!/^[A-Za-z0-9-]{1,120}$/.test(id)) return badRequest("id", "must be a failover id");
    const body = await readJsonBody(request);
    if (!body.ok) return body.response;
    const parsed = decisionBody.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return badRequest(issue.path.length ? issue.path.map(String).join(".") : "body", issue.message);
    }

    const client = df.getClient(context);
    const status = await statusOf(client, id, { showInput: true });
    if (!status) return error(404, "FailoverNotFound", `no failover with id "${id}"`, { field: "id" });
    const custom = status.customStatus as FailoverStatus | undefined;
    if (status.runtimeStatus !== "Running" || !custom?.awaitingApproval) {
      const where = custom?.step ?? String(status.runtimeStatus).toLowerCase();
      return error(409, "NotAwaitingApproval", `failover ${id} is not waiting for approval (it is at ${where})`);
    }
    // A failover's or an evacuation's input: both carry the requester and the approval rule.
    const input = status.input as Pick<FailoverInput, "requester" | "alert"> & {
      policy: { approval: { twoPerson: boolean } };
    };
    const allowed = decisionAllowed(decision, caller.principal, input.requester, input.policy.approval.twoPerson, {
      alertRun: input.alert !== undefined,
    });
    if (!allowed.ok) return error(403, allowed.code, allowed.reason);

    await submitDecision(client, services().deps.decisions, id, {
      decision,
      principal: caller.principal,
      reason: parsed.data.reason,
      at: new Date().toISOString(),
    });
    context.log(`failover ${id}: ${decision} by ${who(caller.principal)}`);
    const statusUri = `${new URL(request.url).origin}/api/${kind}/${encodeURIComponent(id)}`;
    return json(202, { id, decision, by: caller.principal, statusUri }, { location: statusUri });
  };
}

app.http("failovers-approve", {
  route: "failovers/{id}/approve",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: decide("approve", "failovers"),
});

app.http("failovers-abort", {
  route: "failovers/{id}/abort",
  methods: ["POST"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: decide("abort", "failovers"),
});

for (const kind of ["evacuations", "reprotects"] as const)
  for (const d of ["approve", "abort"] as const) {
    app.http(`${kind}-${d}`, {
      route: `${kind}/{id}/${d}`,
      methods: ["POST"],
      authLevel: "anonymous",
      extraInputs: [df.input.durableClient()],
      handler: decide(d, kind),
    });
  }
