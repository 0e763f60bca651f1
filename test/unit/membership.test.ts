// A pair's membership: the configured servers are the seed, a stored change overrides them; a replacement keeps
// two distinct servers in the pair's resource group, never removes the primary, and is written only over the
// membership it was decided on (two writers cannot interleave); every change is audited with who and why.
import assert from "node:assert/strict";
import { test } from "node:test";
import { replaceMember, resetMembership } from "../../src/activities/membership-change";
import { checkReplacement, type ReplacementContext } from "../../src/domain/membership";
import type { Principal } from "../../src/domain/principal";
import { MemoryPairMembers } from "../../src/state/pair-members";
import { makePreflight } from "../../src/activities/preflight";
import { FakeDns, FakeServers, SUB, WUS, ZONE, fakeDeps, idOf, pair, primaryState, replicaState } from "./fixtures";

const alice: Principal = { oid: "oid-alice", name: "alice", roles: ["Failover.Request"], idp: "aad" };
const by = { principal: alice, reason: "re-protect after the East US outage", runId: "run-1" };
const NEW = { resourceId: idOf("pg-eus-2"), aRecord: "b2c3d4e5f6a1" };

const ctx = (over: Partial<ReplacementContext> = {}): ReplacementContext => ({
  seed: pair.servers,
  zone: ZONE,
  cname: "prod",
  cnameTarget: WUS, // after a failover: pg-wus is the primary, pg-eus is the old one
  otherPairs: [],
  ...over,
});

test("a replacement is checked: which field is wrong and why, as a table", () => {
  const cases: {
    name: string;
    change: Parameters<typeof checkReplacement>[1];
    c?: Partial<ReplacementContext>;
    field?: string;
    re?: RegExp;
  }[] = [
    { name: "the retired server leaves, the replica joins", change: { remove: idOf("pg-eus"), add: NEW } },
    {
      name: "the primary never leaves",
      change: { remove: idOf("pg-wus"), add: NEW },
      field: "remove",
      re: /CNAME serves pg-wus/,
    },
    { name: "not a member", change: { remove: idOf("pg-xyz"), add: NEW }, field: "remove", re: /not a member/ },
    {
      name: "already a member",
      change: { remove: idOf("pg-eus"), add: { ...NEW, resourceId: idOf("pg-wus") } },
      field: "add.resourceId",
      re: /already a member/,
    },
    {
      name: "the other member's A record",
      change: { remove: idOf("pg-eus"), add: { ...NEW, aRecord: "0a1b2c3d4e5f" } },
      field: "add.aRecord",
      re: /other member/,
    },
    {
      name: "the CNAME's own name",
      change: { remove: idOf("pg-eus"), add: { ...NEW, aRecord: "prod" } },
      field: "add.aRecord",
      re: /CNAME/,
    },
    {
      name: "not a Flexible Server id",
      change: { remove: idOf("pg-eus"), add: { ...NEW, resourceId: "/subscriptions/x/vm" } },
      field: "add.resourceId",
      re: /Flexible Server ARM id/,
    },
    {
      name: "not a DNS label",
      change: { remove: idOf("pg-eus"), add: { ...NEW, aRecord: "a.b" } },
      field: "add.aRecord",
      re: /one DNS label/,
    },
    {
      name: "another resource group",
      change: { remove: idOf("pg-eus"), add: { ...NEW, resourceId: idOf("pg-eus-2").replace("rg-db", "rg-other") } },
      field: "add.resourceId",
      re: /resource group rg-other/,
    },
    {
      name: "another subscription",
      change: {
        remove: idOf("pg-eus"),
        add: { ...NEW, resourceId: idOf("pg-eus-2").replace(SUB, "00000000-0000-0000-0000-000000000009") },
      },
      field: "add.resourceId",
      re: /subscription/,
    },
    {
      name: "a server of another pair",
      change: { remove: idOf("pg-eus"), add: NEW },
      c: { otherPairs: [{ pair: "billing", servers: [NEW] }] },
      field: "add.resourceId",
      re: /belongs to pair "billing"/,
    },
  ];
  for (const k of cases) {
    const r = checkReplacement(pair.servers, k.change, ctx(k.c));
    if (!k.field) {
      assert.ok(r.ok, k.name);
      assert.deepEqual(r.servers, [NEW, pair.servers[1]], `${k.name}: the new one takes the retired one's place`);
      continue;
    }
    assert.equal(r.ok, false, k.name);
    if (r.ok) continue;
    assert.equal(r.field, k.field, k.name);
    assert.match(r.reason, k.re!, k.name);
  }
});

function world() {
  const dns = new FakeDns({ target: WUS, ttl: 30 });
  const servers = new FakeServers({
    "pg-wus": primaryState("pg-wus"),
    "pg-eus": primaryState("pg-eus"),
    "pg-eus-2": replicaState("pg-eus-2", "pg-wus"),
  });
  const members = new MemoryPairMembers();
  const deps = fakeDeps(dns, servers, {}, undefined, members);
  return { dns, servers, members, deps };
}

test("the configured servers are the seed until a change is stored; then the stored membership is what the app acts on", async () => {
  const { deps } = world();
  const before = await deps.pair("prod");
  assert.equal(before.membership.source, "config");
  assert.deepEqual(before.servers, pair.servers);

  const r = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal(r.kind, "changed");
  const after = await deps.pair("prod");
  assert.equal(after.membership.source, "stored");
  assert.deepEqual(after.servers, [NEW, pair.servers[1]]);
  assert.deepEqual(after.configuredServers, pair.servers, "the seed stays beside it");
  if (after.membership.source !== "stored") return;
  assert.equal(after.membership.change.by.name, "alice");
  assert.equal(after.membership.change.reason, by.reason);
  assert.equal(after.membership.change.runId, "run-1");
  assert.deepEqual(after.membership.change.previous, pair.servers);
  assert.ok(Date.parse(after.membership.change.at) > 0);

  const audit = await deps.journal.list("run-1");
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.step, "membership");
  assert.match(
    audit[0]!.summary,
    /by alice: pg-eus \+ pg-wus → pg-eus-2 \+ pg-wus: re-protect after the East US outage/,
  );
});

test("a dry run's preflight acts on the stored membership: the new replica is the target", async () => {
  const { deps } = world();
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  const probe = {
    fenceState: async (name: string) =>
      ({ inRecovery: name.startsWith("pg-eus-2"), readOnlyDefault: "off", overrides: [], walLsn: "0/1" }) as never,
    resolve: async (name: string) =>
      ({ addresses: [name.startsWith("pg-eus-2") || name.startsWith("b2c3") ? "10.0.0.3" : "10.0.0.2"] }) as never,
    walPosition: async (name: string) =>
      ({ inRecovery: name.startsWith("pg-eus-2"), lsn: "0/10", replaySeconds: 0 }) as never,
  };
  Object.assign(deps.probe, probe);
  const r = await makePreflight(deps)({
    runId: "dry",
    pair: "prod",
    option: "Planned",
    dryRun: true,
    mode: "failover",
  });
  assert.equal(r.kind, "ready", JSON.stringify(r));
  if (r.kind !== "ready") return;
  assert.equal(r.from.name, "pg-wus");
  assert.equal(r.to.name, "pg-eus-2");
});

test("a replacement already in effect is unchanged (a retried activity); the primary's removal is refused", async () => {
  const { deps } = world();
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  const again = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal(again.kind, "unchanged");
  assert.equal((await deps.journal.list("run-1")).length, 1, "audited once");
  const refused = await replaceMember(
    deps,
    "prod",
    { remove: idOf("pg-wus"), add: { resourceId: idOf("pg-wus-2"), aRecord: "c3d4e5f6a1b2" } },
    by,
  );
  assert.equal(refused.kind, "refused");
  if (refused.kind === "refused") assert.equal(refused.field, "remove");
});

test("a retry after the write but before the audit (the host crashed) audits the change once, and changes nothing", async () => {
  const { deps } = world();
  const append = deps.journal.append.bind(deps.journal);
  let fail = true;
  deps.journal.append = async (e) => {
    if (fail && e.step === "membership") {
      fail = false;
      throw new Error("the host went away");
    }
    return append(e);
  };
  await assert.rejects(replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by), /went away/);
  const retry = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal(retry.kind, "unchanged");
  const audit = await deps.journal.list("run-1");
  assert.equal(audit.length, 1, "audited by the retry");
  assert.match(audit[0]!.summary, /by alice: pg-eus \+ pg-wus → pg-eus-2 \+ pg-wus/);
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal((await deps.journal.list("run-1")).length, 1, "once");
});

test("two writers cannot interleave: the one that loses the race decides again on what the other wrote", async () => {
  const { deps, members } = world();
  const other = { resourceId: idOf("pg-eus-3"), aRecord: "d4e5f6a1b2c3" };
  // Both read the seed; the first write wins, the second finds the etag changed, reads again, and its
  // `remove` (pg-eus) is no longer a member: refused, not a third server list built on a stale read.
  const write = members.write.bind(members);
  let first = true;
  members.write = async (value, etag) => {
    if (first) {
      first = false;
      await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, { ...by, runId: "run-2" });
    }
    return write(value, etag);
  };
  const r = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: other }, by);
  assert.equal(r.kind, "refused");
  if (r.kind === "refused") assert.match(r.reason, /not a member/);
  assert.deepEqual((await deps.pair("prod")).servers, [NEW, pair.servers[1]], "the first writer's change stands");
});

test("a reset goes back to the configured servers, audited; refused while the CNAME serves a server not configured", async () => {
  const { deps, dns } = world();
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  dns.record = { target: `b2c3d4e5f6a1.${ZONE}`, ttl: 30 }; // the new server became the primary
  const refused = await resetMembership(deps, "prod", { ...by, runId: "reset-1", reason: "back to config" });
  assert.equal(refused.kind, "refused");
  if (refused.kind === "refused") assert.equal(refused.code, "PrimaryNotConfigured");
  assert.equal((await deps.pair("prod")).membership.source, "stored");

  dns.record = { target: WUS, ttl: 30 }; // pg-wus, configured, serves again
  const r = await resetMembership(deps, "prod", { ...by, runId: "reset-2", reason: "back to config" });
  assert.equal(r.kind, "changed");
  assert.equal((await deps.pair("prod")).membership.source, "config");
  const audit = await deps.journal.list("reset-2");
  assert.match(audit[0]!.summary, /reset to its configured servers by alice/);
});

// Mutation testing (issue 23): the home of a new member is any configured server's, compared without case.
test("a new member may live in any configured server's subscription and resource group, however ARM spells them", () => {
  const sub = "ABCDEF00-0000-4000-8000-00000000000A";
  const id = (s: string, rg: string, name: string) =>
    `/subscriptions/${s}/resourceGroups/${rg}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  const seed = [
    { resourceId: id(sub, "rg-east", "pg-eus"), aRecord: "a1b2c3d4e5f6" },
    { resourceId: id(sub, "rg-west", "pg-wus"), aRecord: "0a1b2c3d4e5f" },
  ];
  const c = ctx({ seed });
  const inWest = { resourceId: id(sub.toLowerCase(), "RG-WEST", "pg-eus-2"), aRecord: "b2c3d4e5f6a1" };
  const r = checkReplacement(seed, { remove: seed[0]!.resourceId, add: inWest }, c);
  assert.deepEqual(r, { ok: true, servers: [inWest, seed[1]] });
  const elsewhere = { ...inWest, resourceId: id(sub, "rg-north", "pg-eus-2") };
  const refused = checkReplacement(seed, { remove: seed[0]!.resourceId, add: elsewhere }, c);
  assert.equal(refused.ok === false && refused.field, "add.resourceId");
});
