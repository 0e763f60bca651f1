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

test("an evacuation request: every optional field accepted in range, each mistake refused naming its field", () => {
  const ok = {
    region: "eastus2",
    option: "Forced",
    reason: "region down",
    requestedBy: "on-call",
    pairs: ["prod"],
    acceptDataLoss: true,
    concurrency: 16,
  };
  assert.deepEqual(parseEvacuationRequest(ok), { ok: true, value: ok });
  assert.deepEqual(parseEvacuationRequest({ region: "ea", reason: "why", concurrency: 1 }), {
    ok: true,
    value: { region: "ea", reason: "why", concurrency: 1 },
  });
  const bad: [Record<string, unknown> | unknown, string, string][] = [
    [{ reason: "outage" }, "region", "is required: the Azure region whose primaries fail over, e.g. eastus"],
    [
      { region: "e", reason: "outage" },
      "region",
      "must be an Azure region name such as eastus (lower-case letters and digits)",
    ],
    [
      { region: "x eastus", reason: "outage" },
      "region",
      "must be an Azure region name such as eastus (lower-case letters and digits)",
    ],
    [
      { region: "eastus!", reason: "outage" },
      "region",
      "must be an Azure region name such as eastus (lower-case letters and digits)",
    ],
    [
      { region: "a".repeat(41), reason: "outage" },
      "region",
      "must be an Azure region name such as eastus (lower-case letters and digits)",
    ],
    [{ region: "eastus", reason: "outage", option: "planned" }, "option", 'must be "Planned" or "Forced"'],
    [{ region: "eastus", reason: "outage", pairs: "prod" }, "pairs", "must be a list of pair names"],
    [{ region: "eastus", reason: "outage", pairs: ["Prod!"] }, "pairs.0", "must be names of configured pairs"],
    [
      { region: "eastus", reason: "outage", pairs: [] },
      "pairs",
      "must name at least one pair (or be left out: every pair whose primary is in the region)",
    ],
    [{ region: "eastus", reason: "outage", pairs: ["prod", "prod"] }, "pairs", "must not name a pair twice"],
    [{ region: "eastus", reason: "outage", acceptDataLoss: "yes" }, "acceptDataLoss", "must be true or false"],
    [{ region: "eastus", reason: "outage", concurrency: "2" }, "concurrency", "must be a number"],
    [{ region: "eastus", reason: "outage", concurrency: 17 }, "concurrency", ""],
    [{ region: "eastus", reason: "outage", concurrency: 1.5 }, "concurrency", ""],
    [{ region: "eastus", reason: "ok" }, "reason", ""],
    [{ region: "eastus", reason: "outage", requestedBy: "" }, "requestedBy", ""],
    [
      { region: "eastus", reason: "outage", approved: true },
      "body",
      "has an unknown field (known: region, option, reason, requestedBy, pairs, acceptDataLoss, concurrency)",
    ],
    [null, "body", "must be a JSON object"],
    ["eastus", "body", "must be a JSON object"],
    [["eastus"], "body", "must be a JSON object"],
  ];
  for (const [body, field, message] of bad) {
    const r = parseEvacuationRequest(body);
    assert.equal(r.ok ? "ok" : r.field, field, JSON.stringify(body));
    if (message && !r.ok) assert.equal(r.message, message, JSON.stringify(body));
  }
  const pairs = Array.from({ length: 201 }, (_, i) => `p${i}`);
  const many = parseEvacuationRequest({ region: "eastus", reason: "outage", pairs });
  assert.equal(many.ok ? "ok" : many.field, "pairs", "at most 200 pairs");
  assert.equal(parseEvacuationRequest({ region: "eastus", reason: "outage", pairs: pairs.slice(0, 200) }).ok, true);
});
