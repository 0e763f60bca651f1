// The request parsers' words where a sender acts on them, and the limits they promise: both promote options are
// accepted, requestedBy is capped at 200 characters, an evacuation's blank reason or requester says what the field
// is for, an alert's blank target names its place in the list, and a bad pair name quotes the rule.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAlert } from "../../src/domain/alert";
import { parseEvacuationRequest } from "../../src/domain/evacuation-request";
import { parseFailoverRequest } from "../../src/domain/failover-request";
import { parseReprotectRequest } from "../../src/domain/reprotect-request";
import { alertPayload } from "../../local/lab/alert-payloads";
import { idOf } from "./fixtures";

const refusal = (r: { ok: true } | { ok: false; field: string; message: string }) =>
  r.ok ? "accepted" : `${r.field}: ${r.message}`;

test("a failover request: Planned is an option, requestedBy at most 200 characters, a bad pair name quotes the rule", () => {
  assert.equal(refusal(parseFailoverRequest({ pair: "prod", reason: "drill", option: "Planned" })), "accepted");
  assert.equal(
    refusal(parseFailoverRequest({ pair: "prod", reason: "drill", requestedBy: "a".repeat(201) })),
    "requestedBy: must be at most 200 characters",
  );
  assert.equal(
    refusal(parseFailoverRequest({ pair: "Prod!", reason: "drill" })),
    "pair: must be the name of a configured pair (1-40 lower-case letters, digits or '-', not starting or ending with '-')",
  );
});

test("an evacuation request: Planned is an option; blank reason and requester say what they are for; requester capped", () => {
  const ok = { region: "eastus", reason: "eastus is down" };
  assert.equal(refusal(parseEvacuationRequest({ ...ok, option: "Planned" })), "accepted");
  assert.equal(
    refusal(parseEvacuationRequest({ ...ok, reason: "   " })),
    "reason: is blank: say why (it goes into the audit)",
  );
  assert.equal(
    refusal(parseEvacuationRequest({ ...ok, requestedBy: " " })),
    "requestedBy: is blank: who asks (it goes into the audit)",
  );
  assert.equal(
    refusal(parseEvacuationRequest({ ...ok, requestedBy: "a".repeat(201) })),
    "requestedBy: must be at most 200 characters",
  );
});

test("a re-protection's name that is not a server name is refused with the rule", () => {
  assert.match(
    refusal(parseReprotectRequest({ reason: "drill", name: "Bad_Name" })),
    /^name: must be a server name: \S/,
  );
});

test("an alert naming a blank resource is refused at that place in the list", () => {
  const p = alertPayload(idOf("pg-eus"));
  const body = {
    ...p,
    data: { ...p.data, essentials: { ...p.data.essentials, alertTargetIDs: [idOf("pg-eus"), " "] } },
  };
  assert.equal(refusal(parseAlert(body)), "data.essentials.alertTargetIDs.1: is required: an ARM id");
});
