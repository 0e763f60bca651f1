// Region evacuation: the request, the region names ARM and people use, and how pair outcomes add up.
import assert from "node:assert/strict";
import { test } from "node:test";
import { regionKey } from "../../src/activities/plan-evacuation";
import { parseEvacuationRequest } from "../../src/domain/evacuation-request";
import { evacuationOutcome, summarize, type PairResult } from "../../src/orchestrations/evacuation-types";

test("an evacuation request names its region, reason and optional pairs; mistakes name the field", () => {
  assert.deepEqual(parseEvacuationRequest({ region: "eastus", reason: "outage", pairs: ["prod", "billing"] }), {
    ok: true,
    value: { region: "eastus", reason: "outage", pairs: ["prod", "billing"] },
  });
  const bad: [unknown, string][] = [
    [{ region: "East US", reason: "outage" }, "region"],
    [{ region: "eastus" }, "reason"],
    [{ region: "eastus", reason: "outage", pairs: [] }, "pairs"],
    [{ region: "eastus", reason: "outage", pairs: ["prod", "prod"] }, "pairs"],
    [{ region: "eastus", reason: "outage", concurrency: 0 }, "concurrency"],
    [{ region: "eastus", reason: "outage", approved: true }, "body"],
    [[], "body"],
  ];
  for (const [body, field] of bad) {
    const r = parseEvacuationRequest(body);
    assert.equal(r.ok ? "ok" : r.field, field, JSON.stringify(body));
  }
});

test("ARM's display region and the short name compare equal", () => {
  assert.equal(regionKey("East US 2"), regionKey("eastus2"));
  assert.notEqual(regionKey("East US"), regionKey("eastus2"));
});

test("the evacuation's outcome: all pairs succeeded, some, none; the summary counts them", () => {
  const r = (outcome: PairResult["outcome"]): PairResult => ({ pair: outcome, id: null, runId: null, outcome });
  assert.equal(evacuationOutcome([r("succeeded"), r("succeeded")]), "succeeded");
  assert.equal(evacuationOutcome([r("succeeded"), r("failed")]), "partial");
  assert.equal(evacuationOutcome([r("refused"), r("skipped")]), "failed");
  assert.equal(evacuationOutcome([]), "refused");
  assert.deepEqual(summarize([r("succeeded"), r("failed"), r("succeeded")]), { total: 3, succeeded: 2, failed: 1 });
});
