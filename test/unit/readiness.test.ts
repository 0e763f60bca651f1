// The readiness score as a table: each missing item lowers the score by its weight and adds a reason a person can
// act on; the blocking ones make the pair not ready, the advisory ones (TTL, dry run age) only lower the score.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "node:test";
import { NEEDED_ON_CNAME, NEEDED_ON_SERVER, missingActions } from "../../src/domain/rbac-actions";
import { MAX_SAMPLE_AGE_SECONDS, WEIGHTS, readiness, type ReadinessFacts } from "../../src/domain/readiness";

const NOW = Date.parse("2026-12-04T12:00:00Z");
const iso = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();

function healthy(): ReadinessFacts {
  return {
    now: NOW,
    servers: [
      { name: "pg-eus", servesCname: true, state: "Ready", role: "Primary", loggedIn: true },
      {
        name: "pg-wus",
        servesCname: false,
        state: "Ready",
        role: "AsyncReplica",
        replicationState: "Active",
        loggedIn: true,
      },
    ],
    cname: { ttl: 30 },
    drainCapSeconds: 300,
    maxLagBytes: 1_048_576,
    lastSample: { at: iso(30), bytes: 120 },
    fenceOwed: null,
    permissions: [
      { scope: "pg-eus", missing: [] },
      { scope: "pg-wus", missing: [] },
      { scope: "the CNAME prod", missing: [] },
    ],
    lastDryRunAt: iso(86_400),
  };
}

const replicaAs = (over: Partial<ReadinessFacts["servers"][number]>) => (f: ReadinessFacts) => {
  f.servers[1] = { ...f.servers[1]!, ...over };
};

const CASES: { name: string; change: (f: ReadinessFacts) => void; lost: number; ready: boolean; reason?: RegExp }[] = [
  { name: "everything in place", change: () => {}, lost: 0, ready: true },
  {
    name: "no replica (region down: ARM cannot read it)",
    change: replicaAs({ state: undefined, role: undefined, armError: "HTTP 503", loggedIn: null }),
    lost: WEIGHTS.replica + WEIGHTS.login,
    ready: false,
    reason: /ARM could not be read for pg-wus \(HTTP 503\): no replica is known/,
  },
  {
    name: "no replica left (promoted)",
    change: replicaAs({ role: "Primary", replicationState: undefined }),
    lost: WEIGHTS.replica,
    ready: false,
    reason: /no replica: .*re-protect/,
  },
  {
    name: "replica not Ready",
    change: replicaAs({ state: "Updating" }),
    lost: WEIGHTS.replica,
    ready: false,
    reason: /pg-wus is Updating, not Ready/,
  },
  {
    name: "replication not Active",
    change: replicaAs({ replicationState: "Catchup" }),
    lost: WEIGHTS.replica,
    ready: false,
    reason: /replicates Catchup, not Active/,
  },
  {
    name: "lag above rpo.maxLagBytes",
    change: (f) => (f.lastSample = { at: iso(30), bytes: 5_000_000 }),
    lost: WEIGHTS.lag,
    ready: false,
    reason: /5000000 bytes behind, above the pair's rpo.maxLagBytes \(1048576\)/,
  },
  {
    name: "lag not measured",
    change: (f) => (f.lastSample = { at: iso(30), bytes: null }),
    lost: WEIGHTS.lag,
    ready: false,
    reason: /could not measure the lag/,
  },
  {
    name: "no sample yet",
    change: (f) => (f.lastSample = null),
    lost: WEIGHTS.lag,
    ready: false,
    reason: /no lag sample yet/,
  },
  {
    name: "a stale sample",
    change: (f) => (f.lastSample = { at: iso(MAX_SAMPLE_AGE_SECONDS + 60), bytes: 0 }),
    lost: WEIGHTS.sampleAge,
    ready: false,
    reason: /240 s old .*lag-sampler timer/,
  },
  {
    name: "the probe cannot log in to the replica",
    change: replicaAs({ loggedIn: false, loginError: "password authentication failed" }),
    lost: WEIGHTS.login,
    ready: false,
    reason: /cannot log in to pg-wus \(password authentication failed\)/,
  },
  {
    name: "a permission removed on the CNAME",
    change: (f) =>
      (f.permissions[2] = { scope: "the CNAME prod", missing: ["Microsoft.Network/privateDnsZones/CNAME/write"] }),
    lost: WEIGHTS.permissions,
    ready: false,
    reason: /lacks Microsoft.Network\/privateDnsZones\/CNAME\/write on the CNAME prod: assign the app's role/,
  },
  {
    name: "permissions unreadable",
    change: (f) => (f.permissions[0] = { scope: "pg-eus", missing: [], error: "HTTP 403 AuthorizationFailed" }),
    lost: WEIGHTS.permissions,
    ready: false,
    reason: /permissions on pg-eus cannot be read/,
  },
  {
    name: "a fence owed",
    change: (f) => (f.fenceOwed = { server: "pg-eus", since: iso(600) }),
    lost: WEIGHTS.fence,
    ready: false,
    reason: /pg-eus is not fenced since/,
  },
  {
    name: "TTL above the drain cap (advisory)",
    change: (f) => (f.cname = { ttl: 3600 }),
    lost: WEIGHTS.ttl,
    ready: true,
    reason: /TTL \(3600 s\) is above the drain cap \(300 s\)/,
  },
  {
    name: "CNAME unreadable",
    change: (f) => (f.cname = { error: "HTTP 403" }),
    lost: WEIGHTS.ttl,
    ready: false,
    reason: /CNAME cannot be read/,
  },
  {
    name: "no dry run on record (advisory)",
    change: (f) => (f.lastDryRunAt = null),
    lost: WEIGHTS.dryRun,
    ready: true,
    reason: /no successful dry run/,
  },
  {
    name: "an old dry run (advisory)",
    change: (f) => (f.lastDryRunAt = iso(40 * 86_400)),
    lost: WEIGHTS.dryRun,
    ready: true,
    reason: /40 days old/,
  },
];

test("readiness: each item's weight, readiness and reason, as a table", () => {
  assert.equal(
    Object.values(WEIGHTS).reduce((a, b) => a + b, 0),
    100,
    "the weights sum to 100",
  );
  for (const c of CASES) {
    const f = healthy();
    c.change(f);
    const r = readiness(f);
    assert.equal(r.score, 100 - c.lost, `${c.name}: score`);
    assert.equal(r.ready, c.ready, `${c.name}: ready`);
    if (c.reason) {
      assert.equal(
        r.reasons.length,
        c.name.startsWith("no replica (region") ? 2 : 1,
        `${c.name}: ${r.reasons.join(" | ")}`,
      );
      assert.match(r.reasons[0]!, c.reason, c.name);
    } else assert.deepEqual(r.reasons, [], c.name);
  }
});

test("everything missing at once: the score never goes below 0, and every reason is listed", () => {
  const f = healthy();
  for (const c of CASES) c.change(f);
  const r = readiness(f);
  assert.ok(r.score >= 0 && r.score < 20, String(r.score));
  assert.equal(r.ready, false);
  assert.ok(r.reasons.length >= 7, r.reasons.join("\n"));
});

test("permissions: ARM's wildcards and NotActions, against what the app needs; the lists follow infra/role.json", () => {
  assert.deepEqual(missingActions(NEEDED_ON_SERVER, [{ actions: ["*"], notActions: [] }]), []);
  assert.deepEqual(
    missingActions(NEEDED_ON_SERVER, [
      { actions: ["Microsoft.DBforPostgreSQL/*"], notActions: ["*/configurations/write"] },
    ]),
    [
      "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
    ],
  );
  assert.deepEqual(
    missingActions(NEEDED_ON_CNAME, [{ actions: ["microsoft.network/privatednszones/cname/*"], notActions: [] }]),
    [],
  );
  assert.deepEqual(missingActions(NEEDED_ON_CNAME, []), [...NEEDED_ON_CNAME]);
  const role = JSON.parse(readFileSync(resolve(__dirname, "..", "..", "..", "infra", "role.json"), "utf8")) as {
    Actions: string[];
  };
  for (const a of [...NEEDED_ON_SERVER, ...NEEDED_ON_CNAME])
    assert.ok(role.Actions.includes(a), `${a} is in role.json`);
  const statusOrSelf = role.Actions.filter((a) => !([...NEEDED_ON_SERVER, ...NEEDED_ON_CNAME] as string[]).includes(a));
  assert.ok(
    statusOrSelf.every((a) => a.includes("/locations/") || a === "Microsoft.Authorization/permissions/read"),
    `every other action of role.json is an operation-status read or the permissions read itself: ${statusOrSelf.join(", ")}`,
  );
});

// Mutation testing (issue 23): each limit is "at most", so a value exactly at it costs nothing; the reasons in full.
test("at each limit exactly (lag, sample age, TTL, dry run age) nothing is lost", () => {
  const f = healthy();
  f.lastSample = { at: iso(MAX_SAMPLE_AGE_SECONDS), bytes: f.maxLagBytes };
  f.cname = { ttl: f.drainCapSeconds };
  f.lastDryRunAt = iso(30 * 86_400);
  assert.deepEqual(readiness(f), { ready: true, score: 100, reasons: [] });
});

test("the reasons in full: what is wrong and what to do", () => {
  const reasonsOf = (change: (f: ReadinessFacts) => void) => {
    const f = healthy();
    change(f);
    return readiness(f).reasons;
  };
  assert.deepEqual(
    reasonsOf((f) => (f.lastSample = { at: iso(30), bytes: 2_000_000 })),
    [
      "the replica is 2000000 bytes behind, above the pair's rpo.maxLagBytes (1048576): a forced failover would lose them; find what slows the replay (long queries on the replica, network)",
    ],
  );
  assert.deepEqual(
    reasonsOf((f) => {
      f.servers[1] = { ...f.servers[1]!, loggedIn: false, loginError: "28P01 password authentication failed" };
      f.servers[0] = { ...f.servers[0]!, loggedIn: null };
    }),
    [
      "the probe cannot log in to pg-eus (its name is unknown: ARM could not be read), pg-wus (28P01 password authentication failed): check the server, the network path and the probe's role",
    ],
  );
  assert.deepEqual(
    reasonsOf((f) => {
      f.permissions = [
        { scope: "pg-eus", missing: ["a/read", "a/write"] },
        { scope: "the CNAME prod", missing: [], error: "HTTP 403" },
      ];
    }),
    [
      "the app's identity lacks a/read, a/write on pg-eus; the app's permissions on the CNAME prod cannot be read (HTTP 403): assign the app's role (infra/role.json) there",
    ],
  );
  assert.deepEqual(
    reasonsOf(replicaAs({ role: "Replica", state: "Updating" })),
    ["the replica pg-wus is Updating, not Ready"],
    "Azure's newer role name is a replica too",
  );
});
