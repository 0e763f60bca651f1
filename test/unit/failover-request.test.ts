import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFailoverRequest } from "../../src/domain/failover-request";

test("a complete request parses", () => {
  const r = parseFailoverRequest({
    pair: "prod",
    option: "Forced",
    reason: "eastus is down",
    requestedBy: "alice",
    dryRun: false,
  });
  assert.deepEqual(r, {
    ok: true,
    value: { pair: "prod", option: "Forced", reason: "eastus is down", requestedBy: "alice", dryRun: false },
  });
});

const fieldOf = (body: unknown) => {
  const r = parseFailoverRequest(body);
  assert.equal(r.ok, false);
  return r.ok ? "" : r.field;
};

test("each wrong field is named", () => {
  assert.equal(fieldOf({ pair: "prod" }), "reason");
  assert.equal(fieldOf({ reason: "drill now" }), "pair");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", option: "planned-ish" }), "option");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", dryRun: "yes" }), "dryRun");
  assert.equal(fieldOf({ pair: "prod", reason: "drill", colour: "red" }), "colour");
  assert.equal(fieldOf([1]), "body");
  assert.equal(fieldOf(null), "body");
});

test("a blank reason is refused: the audit needs a why", () => {
  assert.equal(fieldOf({ pair: "prod", reason: "   " }), "reason");
});
