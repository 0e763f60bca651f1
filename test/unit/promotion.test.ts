// Where a promote stands: the data plane proves "writable", the promote's operation says InProgress or
// Failed, and ARM's replicationState (Reconfiguring → Updating → Catchup) counts as promoting while the
// replica's own state stays Ready (Microsoft documents the replica's progress only there). Busy answers are
// recognised in an error's code and in an LRO failure's message.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isBusy, promotionOf, type PromotionLook } from "../../src/domain/promotion";

const replica = (over: Record<string, unknown> = {}) => ({
  resourceId: "/x",
  name: "pg-wus",
  state: "Ready",
  role: "AsyncReplica",
  replicationState: "Active",
  ...over,
});
const look = (over: Partial<PromotionLook> = {}): PromotionLook => ({
  plane: { inRecovery: true, transactionReadOnly: "on" },
  arm: replica(),
  operation: null,
  ...over,
});

test("the data plane proves writable, whatever ARM or the operation say (a 403 on ARM included)", () => {
  const writable = { inRecovery: false, transactionReadOnly: "off" };
  assert.equal(promotionOf(look({ plane: writable })), "writable");
  assert.equal(promotionOf(look({ plane: writable, arm: null, operation: { status: "Failed" } })), "writable");
});

test("a Ready replica mid-promote is promoting: its operation InProgress, or replicationState Reconfiguring/Updating/Catchup", () => {
  assert.equal(promotionOf(look({ operation: { status: "InProgress" } })), "promoting");
  for (const replicationState of ["Reconfiguring", "Updating", "Catchup"])
    assert.equal(promotionOf(look({ arm: replica({ replicationState }) })), "promoting", replicationState);
  assert.equal(promotionOf(look({ arm: replica({ state: "Updating" }) })), "promoting");
  assert.equal(promotionOf(look({ arm: replica({ role: "Primary", replicationState: undefined }) })), "promoting");
  assert.equal(promotionOf(look({ arm: null })), "promoting", "ARM unreadable: not known, keep tracking");
});

test("failed only when the operation failed AND the replica is still in recovery; otherwise not known", () => {
  assert.equal(promotionOf(look({ operation: { status: "Failed", error: "x" } })), "failed");
  assert.equal(promotionOf(look({ operation: { status: "Canceled" } })), "failed");
  assert.equal(promotionOf(look({ plane: null, operation: { status: "Failed" } })), "promoting");
});

test("not started: a Ready replica replicating Active, its operation succeeded or unknown", () => {
  assert.equal(promotionOf(look()), "notStarted");
  assert.equal(promotionOf(look({ operation: { status: "Succeeded" } })), "notStarted");
});

test("busy: ServerBusy, ServerIsBusy, ServerIsNotReady, OperationInProgress — as a code or inside an LRO failure", () => {
  for (const code of ["ServerBusy", "ServerIsBusy", "ServerIsNotReady", "OperationInProgress"])
    assert.equal(isBusy(code, ""), true);
  assert.equal(isBusy(undefined, "The long-running operation has failed. ServerBusy. Server 'x' is busy"), true);
  assert.equal(isBusy("AuthorizationFailed", "does not have authorization"), false);
  assert.equal(isBusy("ServerNotReplica", "not a read replica"), false);
});

// Mutation testing (issue 23): no data plane read is no proof; Provisioning is still promoting.
test("a server whose data plane could not be read is never writable on ARM's word; Provisioning is promoting", () => {
  assert.equal(
    promotionOf(look({ plane: null, arm: replica({ role: "Primary", replicationState: undefined }) })),
    "promoting",
  );
  assert.equal(promotionOf(look({ plane: null })), "notStarted");
  assert.equal(promotionOf(look({ arm: replica({ replicationState: "Provisioning" }) })), "promoting");
});
