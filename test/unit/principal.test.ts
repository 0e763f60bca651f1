// The caller's identity comes from App Service Authentication's X-MS-CLIENT-PRINCIPAL, trusted only when
// the platform says authentication is on; roles decide what the caller may do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { principalFrom } from "../../src/auth/principal";
import { decisionAllowed, needsApproval } from "../../src/domain/approval";

const OID = "http://schemas.microsoft.com/identity/claims/objectidentifier";
const encode = (p: unknown) => Buffer.from(JSON.stringify(p)).toString("base64");
const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });
const principal = encode({
  auth_typ: "aad",
  claims: [
    { typ: OID, val: "oid-alice" },
    { typ: "name", val: "Alice" },
    { typ: "roles", val: "Failover.Request" },
    { typ: "roles", val: "Failover.Read" },
  ],
  name_typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
});
const on = { WEBSITE_AUTH_ENABLED: "True" };

test("with authentication on, the principal's object id, name and roles come from the header", () => {
  assert.deepEqual(principalFrom(headers({ "x-ms-client-principal": principal }), on), {
    oid: "oid-alice",
    name: "Alice",
    roles: ["Failover.Request", "Failover.Read"],
    idp: "aad",
  });
});

test("with authentication off (or unset) the header is never trusted: anyone could send it", () => {
  for (const env of [{}, { WEBSITE_AUTH_ENABLED: "False" }, { WEBSITE_AUTH_ENABLED: "" }]) {
    assert.equal(principalFrom(headers({ "x-ms-client-principal": principal }), env), undefined);
  }
});

test("a header that is not base64 JSON, or names no object id, is no principal", () => {
  assert.equal(principalFrom(headers({ "x-ms-client-principal": "%%%" }), on), undefined);
  assert.equal(
    principalFrom(headers({ "x-ms-client-principal": encode({ claims: [{ typ: "name", val: "x" }] }) }), on),
    undefined,
  );
  assert.equal(principalFrom(headers({}), on), undefined);
});

test("roles under the principal's role_typ count too; duplicates are dropped", () => {
  const p = encode({
    claims: [
      { typ: "oid", val: "o" },
      { typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", val: "Failover.Approve" },
      { typ: "roles", val: "Failover.Approve" },
    ],
    role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  });
  assert.deepEqual(principalFrom(headers({ "x-ms-client-principal": p }), on)?.roles, ["Failover.Approve"]);
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

test("the app refuses by itself too: no Easy Auth → 401 for everyone, no principal → 401, no role → 403 naming it", async () => {
  const { authorize } = await import("../../src/http/authorize");
  const req = (h: Record<string, string>) => ({ headers: headers(h) }) as unknown as Parameters<typeof authorize>[0];
  const off = authorize(req({ "x-ms-client-principal": principal }), "Failover.Request", {});
  assert.equal(!off.ok && off.response.status, 401, "a header the platform did not vouch for is not an identity");
  const none = authorize(req({}), "Failover.Request", on);
  assert.equal(!none.ok && none.response.status, 401);
  const noRole = authorize(req({ "x-ms-client-principal": principal }), "Failover.Approve", on);
  assert.equal(!noRole.ok && noRole.response.status, 403);
  assert.deepEqual(
    !noRole.ok && (noRole.response.jsonBody as { error: { role: string } }).error.role,
    "Failover.Approve",
  );
  const yes = authorize(req({ "x-ms-client-principal": principal }), "Failover.Request", on);
  assert.equal(yes.ok && yes.principal.name, "Alice");
});
