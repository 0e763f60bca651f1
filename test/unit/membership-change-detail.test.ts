// A membership change in detail, as the app and the auditor see it: the stored version counts changes, the audit
// entry carries the CNAME, both server lists, who and why; a writer that keeps losing races gives up and says so;
// a server of another pair never joins; a reset that cannot read the CNAME, or loses a race, changes nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { replaceMember, resetMembership } from "../../src/activities/membership-change";
import type { Principal } from "../../src/domain/principal";
import { MemoryPairMembers } from "../../src/state/pair-members";
import { FakeDns, FakeServers, WUS, ZONE, fakeDeps, idOf, pair } from "./fixtures";

const alice: Principal = { oid: "oid-alice", name: "alice", roles: ["Failover.Request"], idp: "aad" };
const by = { principal: alice, reason: "re-protect", runId: "run-1" };
const NEW = { resourceId: idOf("pg-eus-2"), aRecord: "b2c3d4e5f6a1" };
const NEWER = { resourceId: idOf("pg-eus-3"), aRecord: "c3d4e5f6a1b2" };

function world() {
  const dns = new FakeDns({ target: WUS, ttl: 30 });
  const members = new MemoryPairMembers();
  const deps = fakeDeps(dns, new FakeServers({}), {}, undefined, members);
  return { dns, members, deps };
}

test("a change is stored with its version, and audited with the CNAME, both lists, who and why", async () => {
  const { deps } = world();
  const r = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal(r.kind, "changed");
  if (r.kind !== "changed") return;
  assert.deepEqual(r.previous, pair.servers);
  assert.equal(r.membership.source, "stored");
  if (r.membership.source !== "stored") return;
  assert.deepEqual(r.membership.servers, [NEW, pair.servers[1]]);
  assert.equal(r.membership.version, 1);
  const [entry] = await deps.journal.list("run-1");
  assert.deepEqual(
    { step: entry!.step, event: entry!.event, pair: entry!.pair, summary: entry!.summary },
    {
      step: "membership",
      event: "succeeded",
      pair: "prod",
      summary: `membership of prod (prod.${ZONE}) by alice: pg-eus + pg-wus → pg-eus-2 + pg-wus: re-protect`,
    },
  );
  assert.deepEqual(entry!.detail, {
    previous: pair.servers,
    servers: [NEW, pair.servers[1]],
    version: 1,
    by: alice,
    reason: "re-protect",
  });

  const next = await replaceMember(deps, "prod", { remove: idOf("pg-eus-2"), add: NEWER }, { ...by, runId: "run-2" });
  assert.equal(next.kind === "changed" && next.membership.source === "stored" && next.membership.version, 2);
});

test("a retry names the leaving server in any case and finds the change done", async () => {
  const { deps } = world();
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  const again = await replaceMember(deps, "prod", { remove: idOf("pg-eus").toUpperCase(), add: NEW }, by);
  assert.equal(again.kind, "unchanged");
});

test("a server that is a member while the leaving one still is: refused, not taken for done", async () => {
  const { deps } = world();
  const r = await replaceMember(
    deps,
    "prod",
    { remove: idOf("pg-eus"), add: { resourceId: idOf("pg-wus"), aRecord: "d4e5f6a1b2c3" } },
    by,
  );
  assert.equal(r.kind === "refused" && r.field, "add.resourceId");
});

test("a server of another pair never joins this one", async () => {
  const { deps } = world();
  const other = { ...pair, name: "billing", servers: [NEW, NEWER] };
  const pairOf = deps.pair;
  deps.pairNames = () => ["prod", "billing"];
  deps.pair = async (name) => (name === "billing" ? (other as never) : pairOf(name));
  const r = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.equal(r.kind, "refused");
  assert.match(r.kind === "refused" ? r.reason : "", /belongs to pair "billing"/);
  const mine = await replaceMember(
    deps,
    "prod",
    { remove: idOf("pg-eus"), add: { resourceId: idOf("pg-x"), aRecord: "e5f6a1b2c3d4" } },
    by,
  );
  assert.equal(mine.kind, "changed", "its own members are not 'another pair'");
});

test("a writer that loses every race gives up after five tries and says so; nothing is stored", async () => {
  const { deps, members } = world();
  let writes = 0;
  members.write = async () => (writes++, false);
  const r = await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  assert.deepEqual(r, {
    kind: "refused",
    code: "MembershipChanged",
    reason: "the membership of prod kept changing while this change was decided; read it again",
  });
  assert.equal(writes, 5);
  assert.deepEqual(await deps.journal.list("run-1"), []);
});

test("a retry after a crash audits the change even when the run's other steps are already in the journal", async () => {
  const { deps } = world();
  await deps.journal.append({
    runId: "run-1",
    pair: "prod",
    step: "createReplica",
    event: "succeeded",
    summary: "created",
  });
  const append = deps.journal.append.bind(deps.journal);
  let fail = true;
  deps.journal.append = async (e) => {
    if (fail && e.step === "membership") {
      fail = false;
      throw new Error("the host went away");
    }
    return append(e);
  };
  await assert.rejects(replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by));
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  const steps = (await deps.journal.list("run-1")).map((e) => e.step);
  assert.deepEqual(steps.sort(), ["createReplica", "membership"]);
});

test("a reset with nothing stored is unchanged; one that cannot read the CNAME or loses a race changes nothing", async () => {
  const { deps, dns, members } = world();
  assert.deepEqual(await resetMembership(deps, "prod", by), {
    kind: "unchanged",
    membership: { source: "config", servers: pair.servers },
  });
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  dns.getCname = async () => {
    throw Object.assign(new Error("DNS zone unreachable"), { code: "ETIMEDOUT" });
  };
  assert.deepEqual(await resetMembership(deps, "prod", by), {
    kind: "refused",
    code: "CnameUnreadable",
    reason: "cannot read the CNAME: ETIMEDOUT: DNS zone unreachable",
  });
  dns.getCname = FakeDns.prototype.getCname.bind(dns);
  members.remove = async () => false;
  assert.deepEqual(await resetMembership(deps, "prod", by), {
    kind: "refused",
    code: "MembershipChanged",
    reason: "the membership of prod changed; read it again",
  });
  assert.equal((await deps.pair("prod")).membership.source, "stored");
});

test("a reset refused while the CNAME serves a server not configured names it and what to do; a reset is audited with both lists", async () => {
  const { deps, dns } = world();
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  dns.record = { target: `b2c3d4e5f6a1.${ZONE}`, ttl: 30 };
  const r = await resetMembership(deps, "prod", by);
  assert.equal(
    r.kind === "refused" && r.reason,
    `the CNAME serves b2c3d4e5f6a1.${ZONE}, which is neither configured server (pg-eus + pg-wus): ` +
      "update PGFLEX_PAIRS to the pair's servers first, or keep the stored membership",
  );
  dns.record = { target: WUS, ttl: 30 };
  const reset = await resetMembership(deps, "prod", { ...by, runId: "reset-1", reason: "back" });
  assert.deepEqual(reset, {
    kind: "changed",
    membership: { source: "config", servers: pair.servers },
    previous: [NEW, pair.servers[1]],
  });
  const [entry] = await deps.journal.list("reset-1");
  assert.deepEqual(
    [entry!.step, entry!.event, entry!.summary],
    [
      "membership",
      "succeeded",
      "membership of prod reset to its configured servers by alice: pg-eus-2 + pg-wus → pg-eus + pg-wus: back",
    ],
  );
  assert.deepEqual(entry!.detail, {
    previous: [NEW, pair.servers[1]],
    servers: pair.servers,
    by: alice,
    reason: "back",
  });
});

test("a replacement the configured servers already reflect is unchanged, with nothing stored or audited", async () => {
  const { deps } = world();
  const r = await replaceMember(deps, "prod", { remove: idOf("pg-gone"), add: pair.servers[0]! }, by);
  assert.deepEqual(r, { kind: "unchanged", membership: { source: "config", servers: pair.servers } });
  assert.deepEqual(await deps.journal.list("run-1"), []);
});
