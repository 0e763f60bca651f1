// The common alert schema, parsed strictly enough to name what is missing or unsafe, matched against the pairs'
// servers by ARM id, case-insensitively (Azure Monitor lower-cases them); the key deliveries of one alert
// instance share; and the pure gates of a Fired alert (fresh, under the pair's hourly rate).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  alertIsFresh,
  alertKey,
  pairsAlerted,
  parseAlert,
  underAlertRunRate,
  type Alert,
} from "../../src/domain/alert";
import { pairSchema } from "../../src/config/pair-schema";
import { idOf, pair, rawPair } from "./fixtures";
import { alertPayload, type AlertKind } from "../../local/lab/alert-payloads";

function firedAlert(target: string, over: Record<string, unknown> = {}) {
  const p = alertPayload(target);
  return { ...p, data: { ...p.data, essentials: { ...p.data.essentials, ...over } } };
}

function parsed(body: unknown): Alert {
  const r = parseAlert(body);
  assert.ok(r.ok, JSON.stringify(r));
  return r.alert;
}

test("a Fired metric alert parses, and names its pair's server whatever the case of the id", () => {
  const alert = parsed(firedAlert(idOf("pg-eus").toLowerCase()));
  assert.equal(alert.condition, "Fired");
  assert.deepEqual(
    pairsAlerted(alert, [pair]).map((m) => [m.pair.name, m.serverId]),
    [["prod", idOf("pg-eus")]],
  );
});

test("every kind the lab builds (metric, log search, Resource Health, activity log) parses", () => {
  for (const kind of ["metric", "logSearch", "resourceHealth", "activityLog"] as AlertKind[]) {
    const alert = parsed(alertPayload(idOf("pg-eus"), { kind }));
    assert.equal(pairsAlerted(alert, [pair]).length, 1, kind);
  }
});

test("Azure's nullable essentials (severity, signalType, originAlertId, description) are accepted", () => {
  const alert = parsed(firedAlert(idOf("pg-eus"), { severity: null, signalType: null, originAlertId: null }));
  assert.deepEqual([alert.severity, alert.signalType, alert.originAlertId], [null, null, null]);
  assert.equal(parsed(firedAlert(idOf("pg-eus"), { description: "" })).description, null);
});

test("metric alerts: originAlertId is the rule's on the resource, alertId the instance's; the key is the instance", () => {
  const first = parsed(alertPayload(idOf("pg-eus")));
  const second = parsed(alertPayload(idOf("pg-eus")));
  assert.equal(first.originAlertId, second.originAlertId, "Azure's originAlertId is fixed per rule and resource");
  assert.notEqual(alertKey(first), alertKey(second), "two outages are two alert instances");
  const resolved = parsed(alertPayload(idOf("pg-eus"), { condition: "Resolved", alertId: first.alertId }));
  assert.equal(alertKey(resolved), alertKey(first), "the Resolved notice names the instance it resolves");
});

test("an alert on an unrelated resource matches no pair", () => {
  const alert = parsed(firedAlert("/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm1"));
  assert.deepEqual(pairsAlerted(alert, [pair]), []);
});

test("what is not the common alert schema is refused, naming the field", () => {
  const cases: [unknown, string, RegExp][] = [
    [{ ...firedAlert("x"), schemaId: "Microsoft.Insights/activityLogs" }, "schemaId", /common alert schema/],
    [{ schemaId: "azureMonitorCommonAlertSchema" }, "data", /required/],
    [[firedAlert("x")], "body", /expected object/],
    [firedAlert("x", { monitorCondition: "Maybe" }), "data.essentials.monitorCondition", /Fired.*Resolved/],
    [firedAlert("x", { alertTargetIDs: [] }), "data.essentials.alertTargetIDs", /required/],
    [firedAlert("x", { alertId: undefined }), "data.essentials.alertId", /required/],
    [firedAlert("x", { firedDateTime: undefined }), "data.essentials.firedDateTime", /required/],
    [firedAlert("x", { firedDateTime: "yesterday" }), "data.essentials.firedDateTime", /ISO 8601/],
    [firedAlert("x", { firedDateTime: "2026-12-04T10:00:00" }), "data.essentials.firedDateTime", /zone/],
  ];
  for (const [body, field, message] of cases) {
    const r = parseAlert(body);
    assert.equal(r.ok, false, field);
    if (!r.ok) {
      assert.equal(r.field, field);
      assert.match(r.message, message);
    }
  }
});

// Issue 18 item 10: every field that reaches the host log, the audit or the status view is one line of visible
// text, capped. [what, essentials override, field named]
const unsafe: [string, Record<string, unknown>, string][] = [
  ["a forged log line in the rule", { alertRule: "pg-down\n[host] FORGED approved by bob" }, "alertRule"],
  ["a carriage return in the rule", { alertRule: "pg-down\rok" }, "alertRule"],
  ["a bidi override in the description", { description: "fine \u202Eevil" }, "description"],
  ["a zero-width space in the alertId", { alertId: "/subscriptions/x/alerts/\u200Bid" }, "alertId"],
  ["ESC in a target id", { alertTargetIDs: ["/subscriptions/x\u001b[2J"] }, "alertTargetIDs.0"],
  ["a NUL in originAlertId", { originAlertId: "a\u0000b" }, "originAlertId"],
  ["a newline in severity", { severity: "Sev0\nSev4" }, "severity"],
  ["a line separator in signalType", { signalType: "Metric\u2028x" }, "signalType"],
  ["a newline in monitoringService", { monitoringService: "Platform\n" }, "monitoringService"],
  ["a rule name of 261 characters", { alertRule: "r".repeat(261) }, "alertRule"],
  ["a description of 1025 characters", { description: "d".repeat(1025) }, "description"],
  ["an alertId of 1025 characters", { alertId: "a".repeat(1025) }, "alertId"],
  ["51 target ids", { alertTargetIDs: Array.from({ length: 51 }, (_, i) => `/t/${i}`) }, "alertTargetIDs"],
  ["a blank rule", { alertRule: "   " }, "alertRule"],
  ["a target id that is not a string", { alertTargetIDs: [42] }, "alertTargetIDs.0"],
];
for (const [what, over, field] of unsafe) {
  test(`refused, naming the field: ${what}`, () => {
    const r = parseAlert(firedAlert(idOf("pg-eus"), over));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.field, `data.essentials.${field}`);
      for (const ch of ["\n", "\r", "\u001b", "\u202e", "FORGED"])
        assert.ok(!r.message.includes(ch), "the message does not echo the text");
    }
  });
}

test("an emoji and accents in a rule name are fine; the caps count characters, not bytes", () => {
  assert.equal(parsed(firedAlert(idOf("pg-eus"), { alertRule: "Données — é".padEnd(260, "é") })).rule.length, 260);
  assert.ok(parseAlert(firedAlert(idOf("pg-eus"), { alertRule: "pg down 🔥" })).ok);
});

test("a Fired alert is fresh within the pair's maxAgeMinutes; older, or far in the future, it is not", () => {
  const now = Date.parse("2026-12-04T12:00:00Z");
  assert.deepEqual(alertIsFresh("2026-12-04T11:01:00Z", 60, now), { ok: true });
  assert.deepEqual(alertIsFresh("2026-12-04T12:04:00Z", 60, now), { ok: true }, "clock skew is tolerated");
  const stale = alertIsFresh("2026-12-04T10:58:59.9999999Z", 60, now);
  assert.equal(stale.ok, false);
  if (!stale.ok)
    assert.match(stale.reason, /^stale: fired at 2026-12-04T10:58:59.9999999Z, 61 minutes ago.*maxAgeMinutes \(60\)/);
  const short = alertIsFresh("2026-12-04T11:50:00Z", 5, now);
  assert.equal(short.ok, false, "the window is the pair's");
  const future = alertIsFresh("2026-12-04T12:10:00Z", 60, now);
  assert.equal(future.ok, false);
  if (!future.ok) assert.match(future.reason, /in the future/);
});

test("alerts start at most maxRunsPerHour runs of a pair in any hour", () => {
  const now = Date.parse("2026-12-04T12:00:00Z");
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  assert.deepEqual(underAlertRunRate([at(50), at(10)], 3, now), { ok: true });
  const over = underAlertRunRate([at(50), at(30), at(10)], 3, now);
  assert.equal(over.ok, false);
  if (!over.ok) assert.match(over.reason, /^rate limited: alerts started 3 runs .*maxRunsPerHour: 3/);
  assert.deepEqual(
    underAlertRunRate([at(61), at(30), at(10)], 3, now),
    { ok: true },
    "an hour later it counts no more",
  );
  assert.equal(underAlertRunRate([at(1)], 1, now).ok, false);
});

test("alerts.maxAgeMinutes and alerts.maxRunsPerHour: defaults 60 and 3, bounded", () => {
  assert.deepEqual([pair.alerts.maxAgeMinutes, pair.alerts.maxRunsPerHour], [60, 3]);
  const p = pairSchema.parse(rawPair({ alerts: { maxAgeMinutes: 15, maxRunsPerHour: 1 } }));
  assert.deepEqual([p.alerts.maxAgeMinutes, p.alerts.maxRunsPerHour, p.alerts.policy], [15, 1, "propose"]);
  for (const bad of [{ maxAgeMinutes: 0 }, { maxRunsPerHour: 0 }, { maxAgeMinutes: 1.5 }])
    assert.equal(pairSchema.safeParse(rawPair({ alerts: bad })).success, false, JSON.stringify(bad));
});

// Mutation testing (issue 23) found these edges untested.
test("firedDateTime: Azure's spellings with an offset, without seconds, without a fraction all parse", () => {
  for (const t of [
    "2019-03-22T13:58:24+01:00",
    "2019-03-22T13:58:24-05:30",
    "2019-03-22T13:58Z",
    "2019-03-22T13:58:24Z",
  ])
    assert.equal(parsed(firedAlert(idOf("pg-eus"), { firedDateTime: t })).firedAt, t, t);
  for (const t of ["2019-03-22T13:58:24.1234567890Z", "2019-03-22 13:58:24Z", "2019-03-22T13:58:24+0100"])
    assert.equal(parseAlert(firedAlert(idOf("pg-eus"), { firedDateTime: t })).ok, false, t);
});

test("the parsed alert: absent optional essentials are null, the rule and description trimmed", () => {
  const p = alertPayload(idOf("pg-eus"));
  const { severity, signalType, originAlertId, description, ...rest } = p.data.essentials as Record<string, unknown>;
  void [severity, signalType, originAlertId, description];
  const bare = parsed({ ...p, data: { ...p.data, essentials: { ...rest, alertRule: "  pg-down  " } } });
  assert.deepEqual(
    [bare.severity, bare.signalType, bare.originAlertId, bare.description, bare.rule],
    [null, null, null, null, "pg-down"],
  );
  const full = parsed(firedAlert(idOf("pg-eus"), { severity: "Sev1", signalType: "Metric", originAlertId: "o-1" }));
  assert.deepEqual([full.severity, full.signalType, full.originAlertId], ["Sev1", "Metric", "o-1"]);
  assert.equal(parsed(firedAlert(idOf("pg-eus"), { description: "  down  " })).description, "down");
  assert.equal(parsed(firedAlert(idOf("pg-eus"), { description: "   " })).description, null);
});

test("refusals say what is wrong with the field in words a sender can act on", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ severity: 42 }, "severity", "must be a string"],
    [{ alertRule: 42 }, "alertRule", "is required: the alert rule's name"],
    [{ alertRule: "  " }, "alertRule", "is required: the alert rule's name"],
    [{ alertRule: "r".repeat(261) }, "alertRule", "must be at most 260 characters"],
    [
      { alertRule: "a\nb" },
      "alertRule",
      "must be one line of plain text: U+000A at character 2 is a control or invisible formatting character",
    ],
    [{ resolvedDateTime: 42 }, "resolvedDateTime", "must be a string"],
    [{ firedDateTime: 42 }, "firedDateTime", "is required: when the alert fired"],
    [{ monitorCondition: "Maybe" }, "monitorCondition", 'must be "Fired" or "Resolved"'],
    [{ alertTargetIDs: "x" }, "alertTargetIDs", "is required: the ARM ids the alert is about"],
    [{ alertTargetIDs: [] }, "alertTargetIDs", "is required: the ARM ids the alert is about"],
    [
      { alertTargetIDs: Array.from({ length: 51 }, (_, i) => `/t/${i}`) },
      "alertTargetIDs",
      "must name at most 50 resources",
    ],
  ];
  for (const [over, field, message] of cases) {
    const r = parseAlert(firedAlert(idOf("pg-eus"), over));
    assert.deepEqual(r, { ok: false, field: `data.essentials.${field}`, message }, JSON.stringify(over));
  }
});

test("freshness and the hourly rate at their exact edges", () => {
  const now = Date.parse("2026-12-04T12:00:00Z");
  assert.deepEqual(alertIsFresh("2026-12-04T11:00:00Z", 60, now), { ok: true }, "exactly maxAgeMinutes old is fresh");
  assert.deepEqual(alertIsFresh("2026-12-04T12:05:00Z", 60, now), { ok: true }, "exactly the skew ahead is believed");
  const ahead = alertIsFresh("2026-12-04T12:05:00.001Z", 60, now);
  assert.deepEqual(ahead, {
    ok: false,
    reason: "fired at 2026-12-04T12:05:00.001Z, more than 5 minutes in the future: not believed",
  });
  const hourAgo = new Date(now - 60 * 60_000).toISOString();
  assert.deepEqual(
    underAlertRunRate([hourAgo], 1, now),
    { ok: true },
    "a run exactly an hour ago is out of the window",
  );
});

test("an alert naming several resources concerns the pair if any of them is the pair's server", () => {
  const other = "/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm1";
  const alert = parsed(firedAlert(other, { alertTargetIDs: [other, idOf("pg-eus")] }));
  assert.deepEqual(
    pairsAlerted(alert, [pair]).map((m) => m.serverId),
    [idOf("pg-eus")],
  );
});
