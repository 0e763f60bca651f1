// Azure Monitor alerts through the HTTP API on the lab: only a fresh Fired alert on the current primary acts;
// the run confirms the primary is down (a healthy one makes it a false alarm); "propose" waits for a person
// and a Resolved cancels it; "auto" fails over end to end; 20 identical alerts at once start one run; a later
// outage (a new alert instance of the same rule) proposes again; unsafe fields are refused before any log;
// alert runs per pair are rate-limited; the Secure Webhook route needs Failover.Alert.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { alertPayload } from "../../local/lab/alert-payloads";
import type { FailoverApi } from "../../local/drill/api";
import {
  cnameRecord,
  currentStep,
  follow,
  inRecovery,
  resolveCname,
  roles,
  start,
  waitFor,
  type Stack,
} from "./helpers";

interface AlertAnswer {
  results: { pair?: string; action: string; reason: string; id?: string; statusUri?: string }[];
  error?: { field: string; message: string };
}

const actionGroup = (stack: Stack): FailoverApi => stack.api.as({ functionKey: stack.host.functionKey });
const post = (stack: Stack, body: unknown) => actionGroup(stack).post<AlertAnswer>("/api/alerts", body);

// One stack for these two: the first starts nothing and changes nothing (its alerts are ignored, acknowledged or
// refused), so the second sees the pair as a fresh lab would; the others need their own alert policies.
describe("with the default alert policy (propose)", () => {
  const hostLines: string[] = [];
  let stack: Stack;
  before(async () => {
    stack = await start({ onHostLine: (l) => hostLines.push(l) });
  });
  after(() => stack?.stop());

  test("what is ignored, acknowledged or refused — and starts nothing", async () => {
    const { primary, replica } = stack.lab.info.servers;
    const unrelated = await post(
      stack,
      alertPayload("/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm1"),
    );
    assert.deepEqual([unrelated.status, unrelated.body.results[0]?.action], [200, "ignored"]);
    const onReplica = await post(stack, alertPayload(replica.resourceId));
    assert.deepEqual([onReplica.status, onReplica.body.results[0]?.action], [200, "ignored"]);
    assert.match(onReplica.body.results[0]!.reason, /is not the current primary/);
    const resolved = await post(stack, alertPayload(primary.resourceId, { condition: "Resolved" }));
    assert.deepEqual([resolved.status, resolved.body.results[0]?.action], [200, "acknowledged"]);
    const notJson = await post(stack, "{nope");
    assert.deepEqual([notJson.status, notJson.body.error?.field], [400, "body"]);
    const wrongSchema = await post(stack, { ...alertPayload(primary.resourceId), schemaId: "AzureMonitorMetricAlert" });
    assert.deepEqual([wrongSchema.status, wrongSchema.body.error?.field], [400, "schemaId"]);
    const noTargets = alertPayload(primary.resourceId);
    (noTargets.data.essentials as { alertTargetIDs?: string[] }).alertTargetIDs = undefined;
    assert.deepEqual(
      [(await post(stack, noTargets)).status, (await post(stack, noTargets)).body.error?.field],
      [400, "data.essentials.alertTargetIDs"],
    );
    // Issue 18 item 10: a rule name holding a newline wrote "[host] FORGED …" lines into the host log.
    const forged = await post(
      stack,
      alertPayload(primary.resourceId, { rule: "pg-down\n[host] FORGED failover approved by bob" }),
    );
    assert.deepEqual([forged.status, forged.body.error?.field], [400, "data.essentials.alertRule"]);
    const bidi = await post(stack, alertPayload(primary.resourceId, { description: "ok \u202Edesrever" }));
    assert.deepEqual([bidi.status, bidi.body.error?.field], [400, "data.essentials.description"]);
    const stale = await post(stack, alertPayload(primary.resourceId, { firedAt: new Date(Date.now() - 2 * 3600_000) }));
    assert.deepEqual([stale.status, stale.body.results[0]?.action], [200, "acknowledged"]);
    assert.match(
      stale.body.results[0]!.reason,
      /^stale: fired at .*, 120 minutes ago, beyond alerts\.maxAgeMinutes \(60\)/,
    );
    assert.ok(!hostLines.some((l) => l.includes("FORGED")), "nothing of the forged rule reached the host log");
    // The Secure Webhook: an Entra token with Failover.Alert, at a route that shares no prefix with /api/alerts
    // (which App Service Authentication lets through without a token).
    const webhook = await stack.as("azns-aad-webhook", ["Failover.Alert"]);
    const secure = await webhook.post<AlertAnswer>("/api/secure-alerts", alertPayload(replica.resourceId));
    assert.deepEqual([secure.status, secure.body.results[0]?.action], [200, "ignored"], "accepted and understood");
    const withoutRole = await stack.api.post<{ error?: { code: string; role: string } }>(
      "/api/secure-alerts",
      alertPayload(primary.resourceId),
    );
    assert.deepEqual(
      [withoutRole.status, withoutRole.body.error?.code, withoutRole.body.error?.role],
      [403, "MissingRole", "Failover.Alert"],
    );
    const anonymous = await stack.api.as({}).post("/api/secure-alerts", alertPayload(primary.resourceId));
    assert.equal(anonymous.status, 401);
    const oldRoute = await webhook.post("/api/alerts/secure", alertPayload(primary.resourceId));
    assert.equal(oldRoute.status, 404, "/api/alerts/secure no longer exists");
    const noKey = await stack.api.as({}).post("/api/alerts", alertPayload(primary.resourceId));
    assert.equal(noKey.status, 401, "the alert endpoint needs the function key");
    const keyOnFailovers = await actionGroup(stack).post("/api/failovers", {
      pair: "lab",
      reason: "from the action group",
    });
    assert.equal(keyOnFailovers.status, 401, "the action group's key cannot reach POST /api/failovers");
    assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, 0, "no ARM write happened");
  });

  test("propose: 20 identical alerts at once start exactly one run; it confirms, waits for approval, and a Resolved cancels it", async () => {
    const { lab } = stack;
    const { primary } = lab.info.servers;
    await lab.regionDown(primary.region);
    const fired = alertPayload(primary.resourceId);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(stack, fired)));
    assert.ok(
      answers.every((a) => a.status === 202),
      JSON.stringify(answers.map((a) => [a.status, a.body])),
    );
    const ids = new Set(answers.map((a) => a.body.results[0]!.id));
    assert.equal(ids.size, 1, `one run for 20 deliveries: ${JSON.stringify(answers.map((a) => a.body.results[0]))}`);
    assert.deepEqual(new Set(answers.map((a) => a.body.results[0]!.action)).has("proposed"), true);
    const [id] = [...ids];
    const waiting = await waitFor("approval", async () => {
      const v = await stack.api.get<{ awaitingApproval: { alert: { rule: string; confirmation: string[] } } | null }>(
        `/api/failovers/${id}`,
      );
      return v.body.awaitingApproval ?? undefined;
    });
    assert.equal(waiting.alert.rule, "pg-primary-down");
    assert.equal(
      waiting.alert.confirmation.filter((l) => /^try \d/.test(l)).length,
      3,
      "three tries saw the primary down",
    );
    assert.match(waiting.alert.confirmation.at(-1)!, /^Resource Health: Unavailable/, "and Azure's view beside them");
    const again = await post(stack, fired);
    assert.deepEqual([again.body.results[0]?.action, again.body.results[0]?.id], ["duplicate", id]);

    const resolved = await post(
      stack,
      alertPayload(primary.resourceId, { condition: "Resolved", alertId: fired.data.essentials.alertId }),
    );
    assert.deepEqual([resolved.status, resolved.body.results[0]?.action], [202, "cancelled"]);
    const run = await follow(stack, id!);
    assert.deepEqual([run.out.outcome, run.out.code], ["aborted", "Aborted"]);
    assert.match(run.view.timeline.find((e) => e.event === "aborted")!.summary, /Azure Monitor action group.*resolved/);
    assert.equal(await inRecovery(stack, "replica"), true, "nothing was promoted");

    // A second outage: the same rule on the same server fires a new alert instance. In Azure its originAlertId is
    // the first one's (fixed per rule and resource): it must propose a run of its own, not be a "duplicate".
    await lab.regionUp(primary.region);
    await lab.regionDown(primary.region);
    const second = alertPayload(primary.resourceId);
    assert.equal(second.data.essentials.originAlertId, fired.data.essentials.originAlertId);
    assert.notEqual(second.data.essentials.alertId, fired.data.essentials.alertId);
    // Through the Secure Webhook this time (an Entra token with Failover.Alert), Fired and Resolved alike: an
    // abort is honoured from the run's requester, and the action group's key is another principal.
    const webhook = await stack.as("azns-aad-webhook", ["Failover.Alert"]);
    const proposed = await webhook.post<AlertAnswer>("/api/secure-alerts", second);
    assert.deepEqual([proposed.status, proposed.body.results[0]?.action], [202, "proposed"]);
    const secondId = proposed.body.results[0]!.id!;
    assert.notEqual(secondId, id, "a run of its own");
    const redelivered = await webhook.post<AlertAnswer>("/api/secure-alerts", second);
    assert.deepEqual(
      [redelivered.body.results[0]?.action, redelivered.body.results[0]?.id],
      ["duplicate", secondId],
      "a re-delivery while its run is active starts nothing new",
    );
    await waitFor("the second run's approval", async () => {
      const v = await stack.api.get<{ awaitingApproval: unknown }>(`/api/failovers/${secondId}`);
      return v.body.awaitingApproval ?? undefined;
    });
    // The first outage's Resolved notice again (a late retry): it names the first instance, whose run has ended;
    // it must not cancel the second outage's run, with which it shares only the rule's originAlertId.
    const lateResolved = await post(
      stack,
      alertPayload(primary.resourceId, { condition: "Resolved", alertId: fired.data.essentials.alertId }),
    );
    assert.deepEqual([lateResolved.status, lateResolved.body.results[0]?.action], [200, "acknowledged"]);
    assert.equal(await currentStep(stack, secondId), "approval", "the second run still waits for a person");
    const resolvedSecond = await webhook.post<AlertAnswer>(
      "/api/secure-alerts",
      alertPayload(primary.resourceId, { condition: "Resolved", alertId: second.data.essentials.alertId }),
    );
    assert.deepEqual(
      [resolvedSecond.body.results[0]?.action, resolvedSecond.body.results[0]?.id],
      ["cancelled", secondId],
      "the Resolved notice names its own run",
    );
    assert.equal((await follow(stack, secondId)).out.outcome, "aborted");
  });
});

test("a false alarm (the primary answers) ends falseAlarm with nothing changed; Resource Health alerts, which share one alertId, each act once the run before has ended; alert runs per pair are rate-limited", async (t) => {
  const stack = await start({ pair: { alerts: { policy: "auto", maxRunsPerHour: 2 } } });
  t.after(() => stack.stop());
  const { primary } = stack.lab.info.servers;
  const before = { cname: cnameRecord(stack), roles: roles(stack) };
  const health = alertPayload(primary.resourceId, { kind: "resourceHealth" });
  const r = await post(stack, health);
  assert.deepEqual([r.status, r.body.results[0]?.action], [202, "started"]);
  const run = await follow(stack, r.body.results[0]!.id!);
  assert.deepEqual([run.out.outcome, run.out.code, run.out.failedStep], ["falseAlarm", "PrimaryAnswers", "confirm"]);
  assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before);
  assert.ok(
    run.view.timeline.some((e) => e.step === "confirm"),
    "the confirmation is audited",
  );

  // The next Resource Health event: in Microsoft's activity-log sample the alertId is the alert rule's own id, the
  // same for every event. Its claim held only while the first run was active: this one starts a run of its own.
  const next = alertPayload(primary.resourceId, { kind: "resourceHealth" });
  assert.equal(next.data.essentials.alertId, health.data.essentials.alertId);
  const r2 = await post(stack, next);
  assert.deepEqual([r2.status, r2.body.results[0]?.action], [202, "started"], JSON.stringify(r2.body));
  assert.notEqual(r2.body.results[0]!.id, r.body.results[0]!.id);
  assert.equal((await follow(stack, r2.body.results[0]!.id!)).out.outcome, "falseAlarm");

  // alerts.maxRunsPerHour: 2 — the third alert within the hour starts nothing.
  const third = await post(stack, alertPayload(primary.resourceId));
  assert.deepEqual([third.status, third.body.results[0]?.action], [200, "acknowledged"]);
  assert.match(third.body.results[0]!.reason, /^rate limited: alerts started 2 runs .*maxRunsPerHour: 2/);
  const runs = await stack.api.get<{ runs: unknown[] }>(`/api/pairs/${stack.pair}/runs`);
  assert.equal(runs.body.runs.length, 2, "two runs in all");
});

test("auto: the primary's region goes down, the alert fails over end to end; a later alert on the old primary is ignored", async (t) => {
  const stack = await start({ pair: { alerts: { policy: "auto" } } });
  t.after(() => stack.stop());
  const { lab } = stack;
  const { primary, replica } = lab.info.servers;
  await lab.adminQuery("primary", "insert into lab_writes(note) values ('before the outage')");
  await fetch(new URL("/admin/functions/lag-sampler", stack.host.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.host.masterKey },
    body: JSON.stringify({ input: "" }),
  });
  await waitFor("a lag sample", async () => {
    const p = await stack.api.get<{ pairs: { lag: { latest: unknown } }[] }>("/api/pairs");
    return p.body.pairs[0]?.lag.latest ?? undefined;
  });
  await lab.regionDown(primary.region);
  const r = await post(stack, alertPayload(primary.resourceId));
  assert.deepEqual([r.status, r.body.results[0]?.action], [202, "started"]);
  const run = await follow(stack, r.body.results[0]!.id!);
  assert.equal(run.out.outcome, "succeeded", run.out.reason);
  assert.equal(run.out.confirmation?.down, true);
  assert.equal(run.out.approval, null, "auto: no approval");
  assert.equal(run.out.risk?.source, "sample");
  assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);

  const late = await post(stack, alertPayload(primary.resourceId, { kind: "logSearch" }));
  assert.deepEqual([late.status, late.body.results[0]?.action], [200, "ignored"]);
  assert.match(late.body.results[0]!.reason, /not the current primary/);
});
