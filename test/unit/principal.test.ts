// The caller's identity comes from the claims of a token the app validated itself (object id, name, app
// roles); roles decide what the caller may do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { principalFromClaims } from "../../src/auth/principal";
import { decisionAllowed, decisionRef, needsApproval } from "../../src/domain/approval";

test("a user's principal: object id, display name, app roles (duplicates dropped, non-strings ignored)", () => {
  assert.deepEqual(
    principalFromClaims({
      oid: "oid-alice",
      name: "Alice",
      preferred_username: "alice@contoso.example",
      roles: ["Failover.Request", "Failover.Read", "Failover.Read", 7],
    }),
    { oid: "oid-alice", name: "Alice", roles: ["Failover.Request", "Failover.Read"], idp: "aad" },
  );
});

test("without a display name: the sign-in name (v2 preferred_username, v1 upn), else an app's client id", () => {
  assert.equal(principalFromClaims({ oid: "o", preferred_username: "bob@contoso" })?.name, "bob@contoso");
  assert.equal(principalFromClaims({ oid: "o", upn: "bob@contoso" })?.name, "bob@contoso");
  // An application calling as itself (client credentials): v1 names it appid, v2 azp; no roles → none.
  assert.deepEqual(principalFromClaims({ oid: "sp", appid: "app-1" }), {
    oid: "sp",
    name: "app-1",
    roles: [],
    idp: "aad",
  });
  assert.equal(principalFromClaims({ oid: "sp", azp: "app-2", roles: ["Failover.Alert"] })?.name, "app-2");
  assert.equal(principalFromClaims({ oid: "o" })?.name, "o");
});

test("claims without an object id are no principal: the audit and the two-person rule need one", () => {
  assert.equal(principalFromClaims({ name: "x", roles: ["Failover.Request"] }), undefined);
  assert.equal(principalFromClaims({ oid: "  " }), undefined);
});

const alice = { oid: "a", name: "alice", roles: ["Failover.Request", "Failover.Approve"], idp: "aad" };
const bob = { oid: "b", name: "bob", roles: ["Failover.Approve"], idp: "aad" };
const carol = { oid: "c", name: "carol", roles: ["Failover.Read"], idp: "aad" };

test("two-person rule: the requester cannot approve; another approver can; without the role nobody can", () => {
  assert.deepEqual(decisionAllowed("approve", alice, alice, true), {
    ok: false,
    code: "SelfApproval",
    reason: "alice requested this failover and cannot approve it: the pair requires a second person",
  });
  assert.deepEqual(decisionAllowed("approve", bob, alice, true), { ok: true });
  assert.deepEqual(
    decisionAllowed("approve", alice, alice, false),
    { ok: true },
    "without twoPerson an approver may approve their own",
  );
  assert.equal(decisionAllowed("approve", carol, alice, true).ok, false);
});

test("an abort counts from an approver or from the requester, not from a reader", () => {
  assert.equal(decisionAllowed("abort", bob, alice, true).ok, true);
  assert.equal(decisionAllowed("abort", alice, alice, true).ok, true);
  assert.equal(decisionAllowed("abort", carol, alice, true).ok, false);
});

test("approval is needed for forced failovers by default, for all with 'always', for none with 'never'", () => {
  assert.deepEqual(
    (["never", "forced", "always"] as const).map((m) => [needsApproval(m, "Planned"), needsApproval(m, "Forced")]),
    [
      [false, false],
      [false, true],
      [true, true],
    ],
  );
});

// Mutation testing (issue 23): the rules' edges.
test("the same person whatever the case or blanks a token spells the object id in: no self-approval by case", () => {
  const requester = {
    oid: "ABCDEF01-0000-4000-8000-000000000001",
    name: "alice",
    roles: ["Failover.Approve"],
    idp: "aad",
  };
  const again = { ...requester, oid: " abcdef01-0000-4000-8000-000000000001 " };
  assert.deepEqual(decisionAllowed("approve", again, requester, true), {
    ok: false,
    code: "SelfApproval",
    reason: "alice requested this failover and cannot approve it: the pair requires a second person",
  });
  assert.deepEqual(
    decisionAllowed("abort", { ...again, roles: [] }, requester, true),
    { ok: true },
    "the requester may stop it",
  );
});

test("aborts: a requester-role holder may stop only an alert's run; the alert identity never, unless it asked", () => {
  const carol = { oid: "c", name: "carol", roles: ["Failover.Request"], idp: "aad" };
  const alerts = { oid: "al", name: "alerts", roles: ["Failover.Request", "Failover.Alert"], idp: "aad" };
  const other = { oid: "al2", name: "alerts-2", roles: ["Failover.Request", "Failover.Alert"], idp: "aad" };
  const denied = {
    ok: false,
    code: "MissingRole",
    reason: "carol may not abort: needs the app role Failover.Approve or to be the requester",
  };
  assert.deepEqual(
    decisionAllowed("abort", carol, alice, true),
    denied,
    "a person's run: only approvers and the requester",
  );
  assert.deepEqual(decisionAllowed("abort", carol, alerts, true, { alertRun: true }), { ok: true });
  assert.equal(decisionAllowed("abort", other, alerts, true, { alertRun: true }).ok, false);
  assert.deepEqual(decisionAllowed("abort", alerts, alerts, true, { alertRun: true }), { ok: true });
});

test("approvals: the role is named when missing; the alert identity is refused by its own code", () => {
  assert.deepEqual(decisionAllowed("approve", { ...bob, roles: ["Failover.Request"] }, alice, true), {
    ok: false,
    code: "MissingRole",
    reason: "bob does not have the app role Failover.Approve",
  });
  const alerts = { oid: "al", name: "alerts", roles: ["Failover.Approve", "Failover.Alert"], idp: "aad" };
  const v = decisionAllowed("approve", alerts, alice, false, { alertRun: true });
  assert.equal(v.ok === false && v.code, "AlertIdentityApproval");
});

test("a raised event counts only as a reference to a stored decision: exactly 48 lower-case hex characters", () => {
  const hex = "0123456789abcdef".repeat(3);
  assert.deepEqual(decisionRef({ nonce: hex }), { nonce: hex });
  for (const data of [
    { nonce: `x${hex}` },
    { nonce: `${hex}0` },
    { nonce: hex.toUpperCase() },
    { nonce: 42 },
    { decision: "approve" },
    null,
    undefined,
    "nonce",
  ])
    assert.equal(decisionRef(data), undefined, JSON.stringify(data));
});
