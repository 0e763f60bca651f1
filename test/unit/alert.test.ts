// The common alert schema, parsed strictly enough to name what is missing, and matched against the pairs'
// servers by ARM id, case-insensitively (Azure Monitor lower-cases them).
import assert from "node:assert/strict";
import { test } from "node:test";
import { alertKey, pairsAlerted, parseAlert } from "../../src/domain/alert";
import { idOf, pair } from "./fixtures";

export function firedAlert(target: string, over: Record<string, unknown> = {}) {
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        alertId: "/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1",
        alertRule: "pg-prod-primary-down",
        severity: "Sev0",
        signalType: "Metric",
        monitorCondition: "Fired",
        monitoringService: "Platform",
        alertTargetIDs: [target],
        originAlertId: "s_rg_microsoft.insights_metricAlerts_pg-prod-primary-down_1",
        firedDateTime: "2026-11-27T03:00:00Z",
        description: "is_db_alive < 1",
        essentialsVersion: "1.0",
        alertContextVersion: "1.0",
        ...over,
      },
      alertContext: { conditionType: "SingleResourceMultipleMetricCriteria" },
      customProperties: null,
    },
  };
}

test("a Fired metric alert parses, and names its pair's server whatever the case of the id", () => {
  const r = parseAlert(firedAlert(idOf("pg-eus").toLowerCase()));
  assert.ok(r.ok);
  assert.equal(r.alert.condition, "Fired");
  assert.deepEqual(
    pairsAlerted(r.alert, [pair]).map((m) => [m.pair.name, m.serverId]),
    [["prod", idOf("pg-eus")]],
  );
  assert.equal(
    alertKey(r.alert),
    "s_rg_microsoft.insights_metricAlerts_pg-prod-primary-down_1",
    "deduplicated on originAlertId",
  );
});

test("an alert on an unrelated resource matches no pair", () => {
  const r = parseAlert(firedAlert("/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm1"));
  assert.ok(r.ok);
  assert.deepEqual(pairsAlerted(r.alert, [pair]), []);
});

test("what is not the common alert schema is refused, naming the field", () => {
  const cases: [unknown, string, RegExp][] = [
    [{ ...firedAlert("x"), schemaId: "Microsoft.Insights/activityLogs" }, "schemaId", /common alert schema/],
    [{ schemaId: "azureMonitorCommonAlertSchema" }, "data", /required/],
    [firedAlert("x", { monitorCondition: "Maybe" }), "data.essentials.monitorCondition", /Fired.*Resolved/],
    [firedAlert("x", { alertTargetIDs: [] }), "data.essentials.alertTargetIDs", /required/],
    [firedAlert("x", { alertId: undefined }), "data.essentials.alertId", /required/],
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
