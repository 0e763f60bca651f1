// The common alert schema, parsed strictly enough to name what is missing, and matched against the pairs'
// servers by ARM id, case-insensitively (Azure Monitor lower-cases them).
import assert from "node:assert/strict";
import { test } from "node:test";
import { alertKey, pairsAlerted, parseAlert } from "../../src/domain/alert";
import { idOf, pair } from "./fixtures";
import { alertPayload } from "../../local/lab/alert-payloads";

function firedAlert(target: string, over: Record<string, unknown> = {}) {
  const p = alertPayload(target);
  return { ...p, data: { ...p.data, essentials: { ...p.data.essentials, ...over } } };
}

test("a Fired metric alert parses, and names its pair's server whatever the case of the id", () => {
  const r = parseAlert(firedAlert(idOf("pg-eus").toLowerCase()));
  assert.ok(r.ok);
  assert.equal(r.alert.condition, "Fired");
  assert.deepEqual(
    pairsAlerted(r.alert, [pair]).map((m) => [m.pair.name, m.serverId]),
    [["prod", idOf("pg-eus")]],
  );
  assert.ok(r.alert.originAlertId);
  assert.equal(alertKey(r.alert), r.alert.originAlertId, "deduplicated on originAlertId");
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
