// Azure Monitor alerts through the HTTP API on the lab: only a Fired alert on the current primary acts;
// the run confirms the primary is down (a healthy one makes it a false alarm); "propose" waits for a person
// and a Resolved cancels it; "auto" fails over end to end; 20 identical alerts at once start one run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { alertPayload } from "../../local/lab/alert-payloads";
import type { FailoverApi } from "../../local/drill/api";
import { cnameRecord, follow, inRecovery, resolveCname, roles, start, waitFor, type Stack } from "./helpers";

interface AlertAnswer {
  results: { pair?: string; action: string; reason: string; id?: string; statusUri?: string }[];
  error?: { field: string; message: string };
}

const actionGroup = (stack: Stack): FailoverApi => stack.api.as({ functionKey: stack.host.functionKey });
const post = (stack: Stack, body: unknown) => actionGroup(stack).post<AlertAnswer>("/api/alerts", body);

test("what is ignored, acknowledged or refused — and starts nothing", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
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
  const noKey = await stack.api.as({}).post("/api/alerts", alertPayload(primary.resourceId));
  assert.equal(noKey.status, 401, "the alert endpoint needs the function key");
  const keyOnFailovers = await actionGroup(stack).post("/api/failovers", {
    pair: "lab",
    reason: "from the action group",
  });
  assert.equal(keyOnFailovers.status, 401, "the action group's key cannot reach POST /api/failovers");
  assert.equal(stack.lab.requests().filter((r) => r.method !== "GET").length, 0, "no ARM write happened");
});

test("a false alarm (the primary answers) ends falseAlarm with nothing changed; a Resource Health alert is understood too", async (t) => {
  const stack = await start({ pair: { alerts: { policy: "auto" } } });
  t.after(() => stack.stop());
  const before = { cname: cnameRecord(stack), roles: roles(stack) };
  const r = await post(stack, alertPayload(stack.lab.info.servers.primary.resourceId, { kind: "resourceHealth" }));
  assert.deepEqual([r.status, r.body.results[0]?.action], [202, "started"]);
  const run = await follow(stack, r.body.results[0]!.id!);
  assert.deepEqual([run.out.outcome, run.out.code, run.out.failedStep], ["falseAlarm", "PrimaryAnswers", "confirm"]);
  assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before);
  assert.ok(
    run.view.timeline.some((e) => e.step === "confirm"),
    "the confirmation is audited",
  );
});

test("propose: 20 identical alerts at once start exactly one run; it confirms, waits for approval, and a Resolved cancels it", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
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
