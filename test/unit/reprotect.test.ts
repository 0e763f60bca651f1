// Re-protection's pure decisions (src/domain/reprotect.ts) and its request's validation.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerRef, ServerState } from "../../src/domain/facts";
import { decideReprotect, replicaName, replicaWaitingFor, siblingId } from "../../src/domain/reprotect";
import { parseReprotectRequest } from "../../src/domain/reprotect-request";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL";
const ref = (name: string, a: string): ServerRef => ({
  resourceId: `${SUB}/flexibleServers/${name}`,
  name,
  aRecord: a,
  aRecordFqdn: `${a}.zone.example`,
});
const refs: [ServerRef, ServerRef] = [ref("pg-eus", "aaa"), ref("pg-wus", "bbb")];
const state = (name: string, over: Partial<ServerState> = {}): ServerState => ({
  resourceId: `${SUB}/flexibleServers/${name}`,
  name,
  state: "Ready",
  role: "Primary",
  ...over,
});

test("the primary is the member the CNAME serves; the other one is replaced", () => {
  const d = decideReprotect(refs, [state("pg-eus"), state("pg-wus")], "BBB.zone.example.", true);
  assert.deepEqual(d, { ok: true, primaryIndex: 1, oldIndex: 0 });
  const gone = decideReprotect(refs, [null, state("pg-wus")], "bbb.zone.example", true);
  assert.deepEqual(gone, { ok: true, primaryIndex: 1, oldIndex: 0 });
});

test("refused: a CNAME on neither member, a primary that does not write, a pair already protected", () => {
  const r = (t: string, w: boolean, s: [ServerState | null, ServerState | null]) => decideReprotect(refs, s, t, w);
  const both: [ServerState, ServerState] = [state("pg-eus"), state("pg-wus")];
  assert.equal((r("ccc.zone.example", true, both) as { code: string }).code, "CnameTargetUnknown");
  assert.equal((r("bbb.zone.example", false, both) as { code: string }).code, "PrimaryNotWritable");
  const protectedPair: [ServerState, ServerState] = [
    state("pg-eus", { role: "AsyncReplica", sourceServerResourceId: `${SUB}/flexibleServers/PG-WUS` }),
    state("pg-wus"),
  ];
  assert.equal((r("bbb.zone.example", true, protectedPair) as { code: string }).code, "AlreadyProtected");
  // A replica of some other server does not protect this pair.
  const elsewhere: [ServerState, ServerState] = [
    state("pg-eus", { role: "AsyncReplica", sourceServerResourceId: `${SUB}/flexibleServers/other` }),
    state("pg-wus"),
  ];
  assert.equal(r("bbb.zone.example", true, elsewhere).ok, true);
});

test("the new name: the one asked, else the old name with the run's suffix, which does not pile up", () => {
  assert.equal(replicaName("mine", "pg-eus", "ab12cd34-0000"), "mine");
  assert.equal(replicaName(null, "pg-eus", "ab12cd34-0000"), "pg-eus-rab12cd");
  assert.equal(replicaName(null, "pg-eus-rab12cd", "ff00ee11-0000"), "pg-eus-rff00ee");
  const long = replicaName(null, "x".repeat(63), "ab12cd34");
  assert.ok(long.length <= 63 && long.endsWith("-rab12cd"), long);
  assert.equal(siblingId(`${SUB}/flexibleServers/pg-wus`, "pg-eus-r1"), `${SUB}/flexibleServers/pg-eus-r1`);
});

test("a created replica joins only when ARM, replication, DNS, the login and the lag all say so", () => {
  const primaryId = `${SUB}/flexibleServers/pg-wus`;
  const s = state("n", { role: "AsyncReplica", sourceServerResourceId: primaryId, replicationState: "Active" });
  const ok: Parameters<typeof replicaWaitingFor>[0] = {
    state: s,
    primaryId,
    lagBytes: 100,
    maxLagBytes: 1000,
    aRecord: "ccc",
    loginError: null,
  };
  assert.deepEqual(replicaWaitingFor(ok), []);
  const why = (over: Partial<Parameters<typeof replicaWaitingFor>[0]>) =>
    replicaWaitingFor({ ...ok, ...over }).join("; ");
  assert.match(why({ state: null }), /ARM does not show/);
  assert.match(why({ state: { ...s, state: "Provisioning" } }), /Provisioning, not Ready/);
  assert.match(why({ state: { ...s, replicationState: "Catchup" } }), /Catchup, not Active/);
  assert.match(why({ state: { ...s, sourceServerResourceId: `${SUB}/flexibleServers/x` } }), /not \(yet\) a replica/);
  assert.match(why({ aRecord: null }), /A record/);
  assert.match(why({ loginError: "certificate names another host" }), /verify-full/);
  assert.match(why({ lagBytes: 5000 }), /lag 5000 bytes, above 1000/);
  assert.match(why({ lagBytes: null }), /cannot be measured/);
});

test("the request: a reason, and only known fields with valid values; each error names its field", () => {
  assert.deepEqual(parseReprotectRequest({ reason: "after the failover" }), {
    ok: true,
    value: { reason: "after the failover" },
  });
  const ok = parseReprotectRequest({ reason: "again", region: "eastus", name: "pg-eus-2", retireOld: "delete" });
  assert.equal(ok.ok && ok.value.retireOld, "delete");
  const field = (b: unknown) => {
    const r = parseReprotectRequest(b);
    return r.ok ? "ok" : r.field;
  };
  assert.equal(field({}), "reason");
  assert.equal(field({ reason: "x y z", retireOld: "destroy" }), "retireOld");
  assert.equal(field({ reason: "x y z", name: "Bad_Name" }), "name");
  assert.equal(field({ reason: "x y z", region: "East US" }), "region");
  assert.equal(field({ reason: "x y z", pair: "orders" }), "body");
  assert.equal(field([]), "body");
});

// Mutation testing (issue 23): the words of each refusal, which the 400 carries to the person who sent it.
test("the request's refusals in words: what the field is for, or what it must be", () => {
  const server = "must be a server name: 3-63 lower-case letters, digits or '-', not starting or ending with '-'";
  const region = "must be an Azure region name such as eastus (lower-case letters and digits)";
  const cases: [unknown, string, string][] = [
    [[], "body", "must be a JSON object"],
    [null, "body", "must be a JSON object"],
    ["again", "body", "must be a JSON object"],
    [{}, "reason", "is required: say why (it goes into the audit)"],
    [{ reason: "ab" }, "reason", "is required: say why (it goes into the audit), at least 3 characters"],
    [{ reason: "x".repeat(501) }, "reason", "must be at most 500 characters"],
    [{ reason: "again", requestedBy: " " }, "requestedBy", "is blank: who asks (it goes into the audit)"],
    [{ reason: "again", requestedBy: "x".repeat(201) }, "requestedBy", "must be at most 200 characters"],
    [{ reason: "again", region: 1 }, "region", "must be an Azure region name such as eastus"],
    [{ reason: "again", region: "East US" }, "region", region],
    [{ reason: "again", region: "-eastus" }, "region", region],
    [{ reason: "again", region: "eastus-" }, "region", region],
    [{ reason: "again", name: 7 }, "name", server],
    [{ reason: "again", name: "Bad_Name" }, "name", server],
    [{ reason: "again", retireOld: "destroy" }, "retireOld", 'must be "keep", "stop" or "delete"'],
    [
      { reason: "again", pair: "orders" },
      "body",
      "has an unknown field (known: reason, requestedBy, region, name, retireOld)",
    ],
  ];
  for (const [body, field, message] of cases)
    assert.deepEqual(parseReprotectRequest(body), { ok: false, field, message }, JSON.stringify(body));
});

// Mutation testing (issue 23): the decisions' edges and words.
test("edges: the CNAME on the first member, the words of a protected pair, names Azure accepts, suffixes only at the end", () => {
  assert.deepEqual(decideReprotect(refs, [state("pg-eus"), null], "aaa.zone.example", true), {
    ok: true,
    primaryIndex: 0,
    oldIndex: 1,
  });
  const protectedPair: [ServerState, ServerState] = [
    state("pg-eus", { role: "AsyncReplica", sourceServerResourceId: `${SUB}/flexibleServers/pg-wus` }),
    state("pg-wus"),
  ];
  assert.deepEqual(decideReprotect(refs, protectedPair, "bbb.zone.example", true), {
    ok: false,
    code: "AlreadyProtected",
    reason: "pg-eus is already a replica of pg-wus: the pair is protected",
  });
  for (const [name, ok] of [
    ["pg-eus-2", true],
    ["pg-eus-", false],
    ["-pg-eus", false],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["ab", false],
  ] as const)
    assert.equal(parseReprotectRequest({ reason: "again", name }).ok, ok, name);
  for (const how of ["keep", "stop", "delete"])
    assert.equal(parseReprotectRequest({ reason: "again", retireOld: how }).ok, true, how);
  assert.equal(replicaName(null, "pg-rab12cd-eus", "ff00ee11"), "pg-rab12cd-eus-rff00ee", "a suffix only at the end");
  assert.equal(replicaName(null, "pg-eus", "AB-12_cd34"), "pg-eus-rab12cd", "the run id's letters and digits");
  const trimmed = replicaName(null, `${"x".repeat(53)}--zz`, "ab12cd34");
  assert.equal(trimmed, `${"x".repeat(53)}-rab12cd`, "no run of '-' before the suffix");
  assert.equal(
    siblingId(`${SUB}/flexibleServers/pg-wus/databases/x`, "n"),
    `${SUB}/flexibleServers/pg-wus/databases/x`,
    "only a server id's own last segment is replaced",
  );
  const primaryId = `${SUB}/flexibleServers/pg-wus`;
  assert.deepEqual(
    replicaWaitingFor({
      state: state("n", { state: undefined, role: undefined, replicationState: undefined }),
      primaryId,
      lagBytes: 0,
      maxLagBytes: 10,
      aRecord: "ccc",
      loginError: null,
    }),
    [
      "ARM state unknown, not Ready",
      "not (yet) a replica of the primary (role none)",
      "replication unknown, not Active",
    ],
  );
});
