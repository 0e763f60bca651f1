// POST /api/alerts (an action group's "Azure Function" action: its function key) and POST
// /api/secure-alerts (a Secure Webhook: an Entra principal with Failover.Alert) accept Azure Monitor's
// common alert schema. A fresh Fired alert on a pair's current primary starts a forced failover that first
// confirms the primary is down, then waits for approval (policy "propose") or runs (policy "auto"); the
// same alert instance delivered again while its run is active, any alert while a run is active, a stale
// alert, or one over the pair's hourly rate starts nothing new. A Resolved alert cancels a run still waiting
// for approval. Understood alerts get 202 or 200 quickly, never a 5xx; a malformed one a 400 naming the field.
// The secure route shares no prefix with /api/alerts, which App Service Authentication lets through.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { services } from "../app/services";
import { runState, startRun, statusUrl } from "../app/start-run";
import type { Principal } from "../auth/principal";
import { ROLES } from "../auth/roles";
import {
  alertIsFresh,
  alertKey,
  pairsAlerted,
  parseAlert,
  RUN_WINDOW_MS,
  underAlertRunRate,
  type Alert,
} from "../domain/alert";
import { describeError } from "../domain/describe-error";
import { sameName, sameResourceId } from "../domain/names";
import { serverRefs } from "../domain/pair-refs";
import { authorize } from "../http/authorize";
import { badRequest, json, readJsonBody } from "../http/responses";
import type { PairConfig } from "../config/pair-schema";
import type { FailoverStatus } from "../orchestrations/failover-types";
import { submitDecision } from "../app/decisions";
import { statusOf } from "../app/durable-status";

services(); // validate the configuration at start-up

/** Who an alert delivered with the function key is, for the audit and the run. */
const ACTION_GROUP: Principal = {
  oid: "azure-monitor-action-group",
  name: "Azure Monitor action group",
  roles: [ROLES.alert],
  idp: "functionKey",
};

type Action = "started" | "proposed" | "running" | "duplicate" | "cancelled" | "acknowledged" | "ignored";
interface Result {
  pair?: string;
  action: Action;
  reason: string;
  id?: string;
  statusUri?: string;
}

async function receive(request: HttpRequest, context: InvocationContext, caller: Principal): Promise<HttpResponseInit> {
  const body = await readJsonBody(request);
  if (!body.ok) return body.response;
  const parsed = parseAlert(body.value);
  if (!parsed.ok) return badRequest(parsed.field, parsed.message);
  const { alert } = parsed;
  // The pairs as they are now (a re-protected pair's new servers too): one membership read per pair.
  const { config, deps } = services();
  const matches = pairsAlerted(alert, await Promise.all(config.pairs.map((p) => deps.pair(p.name))));
  const results: Result[] = matches.length
    ? await Promise.all(matches.map((m) => handle(request, context, caller, alert, m.pair, m.serverId)))
    : [{ action: "ignored", reason: `the alert names no configured server (${alert.targetIds.join(", ")})` }];
  const acted = results.some((r) => r.action !== "ignored" && r.action !== "acknowledged");
  for (const r of results)
    context.log(`alert "${alert.rule}" (${alert.condition}): ${r.pair ?? "-"} ${r.action}: ${r.reason}`);
  return json(acted ? 202 : 200, {
    alert: { id: alert.alertId, rule: alert.rule, condition: alert.condition },
    results,
  });
}

async function handle(
  request: HttpRequest,
  context: InvocationContext,
  caller: Principal,
  alert: Alert,
  pair: PairConfig,
  serverId: string,
): Promise<Result> {
  const svc = services();
  const client = df.getClient(context);
  const key = alertKey(alert);
  const link = (id: string) => ({ id, statusUri: statusUrl(request.url, id) });
  if (alert.condition === "Resolved") return resolve(svc, client, caller, alert, pair, key, link);
  if (pair.alerts.policy === "off")
    return { pair: pair.name, action: "ignored", reason: `alerts are off for pair ${pair.name}` };
  const fresh = alertIsFresh(alert.firedAt, pair.alerts.maxAgeMinutes, Date.now());
  if (!fresh.ok) return { pair: pair.name, action: "acknowledged", reason: fresh.reason };

  const alerted = serverRefs(pair).find((r) => sameResourceId(r.resourceId, serverId))!;
  const cname = await svc.deps.dns.getCname(pair.dns).catch((e: unknown) => describeError(e));
  if (typeof cname !== "string" && !sameName(cname.target, alerted.aRecordFqdn)) {
    return {
      pair: pair.name,
      action: "ignored",
      reason: `${alerted.name} is not the current primary of pair ${pair.name} (the CNAME serves ${cname.target})`,
    };
  }
  // The same alert instance again (Azure retries a webhook) while its run is active: that run. Once the run
  // has ended, a new notice of it may propose again (within the rate limit below).
  const claimed = await svc.deps.state.alertClaim(pair.name, key);
  if (claimed && (await runState(client, claimed.instanceId)) === "running")
    return {
      pair: pair.name,
      action: "duplicate",
      reason: "this alert already has an active run",
      ...link(claimed.instanceId),
    };
  const now = Date.now();
  const rate = underAlertRunRate(
    await svc.deps.state.alertRuns(pair.name, now, RUN_WINDOW_MS),
    pair.alerts.maxRunsPerHour,
    now,
  );
  if (!rate.ok) return { pair: pair.name, action: "acknowledged", reason: rate.reason };

  const auto = pair.alerts.policy === "auto";
  const run = await startRun(svc, client, {
    pair,
    option: "Forced",
    reason: `alert "${alert.rule}" fired on ${alerted.name}${alert.description ? `: ${alert.description}` : ""}`,
    requester: caller,
    note: null,
    source: "alert",
    dryRun: false,
    mode: "failover",
    acceptDataLoss: false,
    alert: {
      alertId: alert.alertId,
      rule: alert.rule,
      firedAt: alert.firedAt,
      severity: alert.severity,
      description: alert.description,
      targetId: alerted.resourceId,
    },
    // propose: a person approves (any pair policy); auto: no approval, but the RPO guard still applies.
    policy: (p) => ({ ...p, approval: { ...p.approval, mode: auto ? "never" : "always" } }),
  });
  if (!run.started) {
    return {
      pair: pair.name,
      action: "running",
      reason: "a run for this pair is already active",
      ...link(run.holder.instanceId),
    };
  }
  const at = new Date().toISOString();
  await svc.deps.state.claimAlert({ pair: pair.name, key, runId: run.runId, instanceId: run.instanceId, at });
  await svc.deps.state.addAlertRun(pair.name, at, RUN_WINDOW_MS);
  const what = auto
    ? "started a forced failover (it confirms the primary is down first)"
    : "proposed a forced failover: it confirms the primary is down, then waits for approval";
  return { pair: pair.name, action: auto ? "started" : "proposed", reason: what, ...link(run.instanceId) };
}

async function resolve(
  svc: ReturnType<typeof services>,
  client: df.DurableClient,
  caller: Principal,
  alert: Alert,
  pair: PairConfig,
  key: string,
  link: (id: string) => { id: string; statusUri: string },
): Promise<Result> {
  const claimed = await svc.deps.state.alertClaim(pair.name, key);
  if (!claimed)
    return { pair: pair.name, action: "acknowledged", reason: "resolved; no run was started for this alert" };
  const status = await statusOf(client, claimed.instanceId);
  const waiting =
    status?.runtimeStatus === "Running" && (status.customStatus as FailoverStatus | undefined)?.awaitingApproval;
  if (!waiting) {
    return {
      pair: pair.name,
      action: "acknowledged",
      reason: `resolved; its run is ${status?.runtimeStatus ?? "gone"}, not waiting for approval`,
      ...link(claimed.instanceId),
    };
  }
  await submitDecision(client, svc.deps.decisions, claimed.instanceId, {
    decision: "abort",
    principal: caller,
    reason: `the alert "${alert.rule}" resolved`,
    at: new Date().toISOString(),
  });
  return {
    pair: pair.name,
    action: "cancelled",
    reason: "resolved while waiting for approval: the run is aborted",
    ...link(claimed.instanceId),
  };
}

app.http("alerts-function-key", {
  route: "alerts",
  methods: ["POST"],
  authLevel: "function", // the action group's "Azure Function" action calls with the function key
  extraInputs: [df.input.durableClient()],
  handler: (request, context) => receive(request, context, ACTION_GROUP),
});

app.http("alerts-secure-webhook", {
  // Not under /api/alerts: App Service Authentication lets /api/alerts through without a token.
  route: "secure-alerts",
  methods: ["POST"],
  authLevel: "anonymous", // a Secure Webhook presents an Entra token: its principal needs Failover.Alert
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const caller = await authorize(request, ROLES.alert);
    return caller.ok ? receive(request, context, caller.principal) : Promise.resolve(caller.response);
  },
});
