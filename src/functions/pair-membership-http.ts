// DELETE /api/pairs/{pair}/membership {reason}: the pair goes back to its configured servers (PGFLEX_PAIRS),
// forgetting what re-protection stored (Failover.Request: it changes which servers a failover acts on). It
// takes the pair's lease for the moment of the change, so it never runs beside a failover or a re-protect;
// refused when the configured servers do not include the one the CNAME serves. Audited with who and why.
import { randomUUID } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { membershipView } from "../app/pair-topology";
import { resetMembership } from "../activities/membership-change";
import { services } from "../app/services";
import { ROLES } from "../auth/roles";
import { freeText } from "../domain/failover-request";
import { authorize } from "../http/authorize";
import { badRequest, error, json, readJsonBody } from "../http/responses";

services(); // validate the configuration at start-up

const resetSchema = z.strictObject({ reason: freeText("say why (it goes into the audit)", { min: 3, max: 500 }) });

async function resetPairMembership(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.request);
  if (!caller.ok) return caller.response;
  const { config, deps, leases } = services();
  const name = request.params.pair ?? "";
  if (!config.pairs.some((p) => p.name === name)) {
    const known = config.pairs.map((p) => p.name).join(", ");
    return error(404, "PairNotFound", `no pair named "${name}" is configured (configured: ${known || "none"})`, {
      field: "pair",
    });
  }
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = resetSchema.safeParse(body.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.code === "unrecognized_keys" ? issue.keys[0]! : issue.path.map(String).join(".") || "body";
    return badRequest(field, issue.code === "unrecognized_keys" ? "is not a known field (reason)" : issue.message);
  }
  const runId = `membership-reset-${randomUUID()}`;
  const lease = { pair: name, runId, instanceId: runId, acquiredAt: new Date().toISOString() };
  if (!(await leases.create(lease))) {
    const holder = await leases.get(name);
    return error(409, "PairBusy", `pair ${name} has a run in progress (${holder?.lease.instanceId ?? "unknown"})`, {
      instanceId: holder?.lease.instanceId ?? null,
    });
  }
  try {
    const r = await resetMembership(deps, name, { principal: caller.principal, reason: parsed.data.reason, runId });
    if (r.kind === "refused") return error(409, r.code, r.reason);
    return json(200, {
      pair: name,
      changed: r.kind === "changed",
      membership: membershipView(r.membership),
      servers: r.membership.servers,
      ...(r.kind === "changed" ? { previous: r.previous, runId } : {}),
    });
  } finally {
    await leases.release(name, runId);
  }
}

app.http("pair-membership-reset", {
  route: "pairs/{pair}/membership",
  methods: ["DELETE"],
  authLevel: "anonymous",
  handler: resetPairMembership,
});
