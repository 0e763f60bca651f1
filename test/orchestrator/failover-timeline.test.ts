// What a failover tells the people following it, driven through the real durable-functions replay with scripted
// activity results: the timeline's note per phase (the result's phases), the status line while it runs, the
// audit's closing line, and the warnings and fence note an operator acts on. (The fixtures are those of
// failover-exits.test.ts, which covers where each exit leaves the pair.)
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CheckPromotionResult, PreflightResult, VerifyResult } from "../../src/activities/contracts";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import { drive, TEST_POLICY, type Driven, type Script } from "./harness";
import { recordTranscripts } from "./transcript";

recordTranscripts("failover-timeline");

const ZONE = "corp.private.postgres.database.azure.com";
const OLD = `aaaaaaaaaaaa.${ZONE}`;
const NEW = `bbbbbbbbbbbb.${ZONE}`;
const ref = (name: string, aRecordFqdn: string) => ({
  resourceId: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
  name,
  aRecord: aRecordFqdn.split(".")[0]!,
  aRecordFqdn,
  fqdn: `${name}.postgres.database.azure.com`,
});
const plane = (inRecovery: boolean) => ({ reachable: true, inRecovery, readOnlyDefault: "off" });
const from = {
  ...ref("pg-eus", OLD),
  state: { resourceId: "x", name: "pg-eus", state: "Ready", role: "Primary" },
  dataPlane: plane(false),
};
const to = {
  ...ref("pg-wus", NEW),
  state: { resourceId: "y", name: "pg-wus", state: "Ready", role: "GeoAsyncReplica" },
  dataPlane: plane(true),
};
const cname = { fqdn: `prod.${ZONE}`, target: OLD, ttl: 3600, etag: "e1" };

const input: FailoverInput = {
  runId: "00000000-0000-0000-0000-0000000000aa",
  pair: "prod",
  option: "Planned",
  reason: "drill",
  requester: { oid: "00000000-0000-0000-0000-00000000a11c", name: "alice", roles: ["Failover.Request"], idp: "aad" },
  note: null,
  requestedAt: "2026-11-27T03:00:00.000Z",
  source: "http",
  dryRun: false,
  mode: "failover",
  acceptDataLoss: false,
  policy: TEST_POLICY,
};
const forced: FailoverInput = { ...input, option: "Forced" };

const measured = { bytes: 0, replaySeconds: 0, source: "measured" as const, measuredAt: input.requestedAt };
const ready: PreflightResult = {
  kind: "ready",
  mode: "failover",
  cname,
  from,
  to,
  lag: { bytes: 0, replaySeconds: 0, measuredAt: input.requestedAt, primaryReachable: true },
  risk: measured,
  fenceBefore: "off",
  warnings: [],
};
const checked = (
  progress: "notStarted" | "promoting" | "writable" | "failed",
  detail: string = progress,
): CheckPromotionResult => ({
  kind: "checked",
  progress,
  state: to.state,
  inRecovery: progress === "writable" ? false : progress === "failed" ? true : null,
  operation: progress === "failed" ? { status: "Failed", error: "InternalServerError: the promote failed" } : null,
  detail,
});
const verified: VerifyResult = {
  kind: "verified",
  name: `prod.${ZONE}`,
  cnameChain: [NEW],
  address: "10.1.0.4",
  tls: { protocol: "TLSv1.3", subject: "", issuer: "", subjectAltNames: "", validTo: "" },
  inRecovery: false,
  transactionReadOnly: "off",
  wroteAndRolledBack: true,
  serverVersion: "17",
  verifyFull: { ok: false, error: "ERR_TLS_CERT_ALTNAME_INVALID" },
  dnsAnswers: 3,
};
const fenced = {
  kind: "fenced" as const,
  server: "pg-eus",
  ended: 5,
  stillExiting: 0,
  survivors: [],
  overrides: [],
  lsn: "0/3000100",
  confirmedAt: input.requestedAt,
};

/** The happy path; each test overrides what it breaks. */
function script(over: Script = {}): Script {
  let polls = 0;
  let ttl = 3600;
  return {
    preflight: () => ready,
    lowerTtl: (i) => ((ttl = i.ttl), { kind: "done", ttl: i.ttl, previousTtl: 3600, etag: "e2", changed: true }),
    fence: () => fenced,
    liftFence: (i) => ({ kind: "lifted", value: i.previousValue }),
    checkCatchUp: (i) => ({ kind: "checked", caughtUp: true, replayLsn: i.lsn, lagBytes: 0, detail: "caught up" }),
    promote: () => ({ kind: "started", state: to.state }),
    checkPromotion: () => (++polls < 3 ? checked("promoting") : checked("writable")),
    repointCname: (i) => ({ kind: "done", changed: true, cname: { ...cname, target: i.toTarget, ttl } }),
    verify: () => verified,
    fenceByArm: () => ({ kind: "refused", code: "ServerNotReady", reason: "Server 'pg-eus' is Inaccessible." }),
    watchFence: () => ({ kind: "watching", until: "2026-11-28T03:00:00.000Z" }),
    restoreTtl: (i) => {
      const prev = ttl;
      ttl = i.ttl;
      return { kind: "done", ttl: i.ttl, previousTtl: prev, etag: "e9", changed: prev !== i.ttl };
    },
    ...over,
  };
}

const fail = (msg: string) => () => new Error(msg);

const notes = (r: Driven) => r.output.phases.map((p) => [p.phase, p.outcome, p.note ?? null]);
const statusLines = (r: Driven) => r.statuses.map((s) => `${s.step}: ${s.message}`);
const auditLines = (r: Driven) =>
  r.calls.filter((c) => c.key === "recordEvent").map((c) => `${String(c.input.event)}: ${String(c.input.summary)}`);

test("planned: each phase's note, the status lines while it runs, and the audit's closing line", async () => {
  const r = await drive(input, script());
  assert.deepEqual(notes(r), [
    ["preflight", "ok", "pg-eus → pg-wus"],
    ["lowerTtl", "ok", "TTL 3600s → 30s"],
    ["drain", "ok", "capped at 300s (TTL was 3600s)"],
    ["fence", "ok", "5 session(s) ended; WAL at 0/3000100"],
    ["catchUp", "ok", "replayed up to 0/3000100: nothing acknowledged on pg-eus is missing on pg-wus"],
    ["promote", "ok", "started; writable"],
    ["repoint", "ok", `${OLD} → ${NEW}`],
    ["verify", "ok", `prod.${ZONE} → 10.1.0.4: writable, TLS TLSv1.3 verify-ca OK; verify-full fails as expected`],
    ["stabilise", "ok", null],
    ["restoreTtl", "ok", "TTL 30s → 3600s"],
  ]);
  assert.deepEqual(statusLines(r), [
    "preflight: reading the CNAME and both servers",
    "lowerTtl: lowering the CNAME TTL from 3600s to 30s",
    "drain: waiting 300s for cached answers to expire",
    "fence: fencing pg-eus: new sessions read-only, open sessions ended",
    "catchUp: waiting for pg-wus to replay up to 0/3000100",
    "promote: promoting pg-wus (Planned)",
    "promote: waiting for pg-wus to be writable: promoting",
    "promote: waiting for pg-wus to be writable: promoting",
    `repoint: pointing prod.${ZONE} at ${NEW}`,
    `verify: resolving prod.${ZONE} and connecting through it with verify-ca`,
    "stabilise: stabilising for 300s before restoring the TTL",
    "restoreTtl: restoring the CNAME TTL to 3600s after a successful failover",
    "done: succeeded",
  ]);
  assert.ok(
    r.statuses.every((s) => s.runId === input.runId && !Number.isNaN(Date.parse(s.since))),
    "every status names the run and since when",
  );
  assert.deepEqual(auditLines(r), [
    `completed: succeeded; CNAME → ${NEW} (the new primary pg-wus, proven writable through its own name)`,
  ]);
  assert.equal(
    r.output.fence?.note,
    "pg-eus takes no writes: new sessions are read-only and 5 open session(s) were ended",
  );
  assert.deepEqual(r.output.warnings, []);
  assert.deepEqual(r.output.rto, {
    total: 300.1,
    preflight: 0.01,
    lowerTtl: 0.01,
    drain: 300,
    fence: 0.01,
    catchUp: 0.01,
    promote: 0.04,
    repoint: 0.01,
    verify: 0.01,
  });
});

test("forced with the old primary away: no drain, the watch's note and warning say it is NOT fenced", async () => {
  const away = { reachable: false, inRecovery: null, readOnlyDefault: null };
  const r = await drive(
    forced,
    script({ preflight: () => ({ ...ready, from: { ...from, dataPlane: away }, lag: null, fenceBefore: null }) }),
  );
  assert.deepEqual(notes(r), [
    ["preflight", "ok", "pg-eus → pg-wus"],
    ["lowerTtl", "ok", "TTL 3600s → 30s"],
    ["drain", "skipped", null],
    ["promote", "ok", "started; writable"],
    ["repoint", "ok", `${OLD} → ${NEW}`],
    ["verify", "ok", `prod.${ZONE} → 10.1.0.4: writable, TLS TLSv1.3 verify-ca OK; verify-full fails as expected`],
    ["fence", "ok", "watching until 2026-11-28T03:00:00.000Z"],
    ["stabilise", "ok", null],
    ["restoreTtl", "ok", "TTL 30s → 3600s"],
  ]);
  assert.deepEqual(r.output.warnings, [
    "pg-eus is not fenced yet: if its region returns it accepts writes until the fence watch reaches it",
  ]);
  assert.equal(
    r.output.fence?.note,
    "pg-eus is NOT fenced: it did not answer; it is fenced (readOnly) as soon as it comes back, watched until 2026-11-28T03:00:00.000Z",
  );
  assert.ok(statusLines(r).includes("promote: promoting pg-wus (Forced)"));
  assert.ok(statusLines(r).includes("fence: fencing pg-eus, or watching for its return"));
  assert.deepEqual(r.output.rto, {
    total: 0.08,
    preflight: 0.01,
    lowerTtl: 0.01,
    drain: 0,
    promote: 0.04,
    repoint: 0.01,
    verify: 0.01,
  });
});

test("a fence with superuser survivors and settings that switch it off warns of both; a stop after it says the lift and the undone TTL", async () => {
  const leaky = { ...fenced, survivors: [{ user: "azure_pg_admin", sessions: 2 }], overrides: ["role app"] };
  const r = await drive(input, script({ fence: () => leaky as never, checkCatchUp: fail("boom") }));
  assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["failed", "CatchUpFailed", "catchUp"]);
  assert.deepEqual(r.output.warnings, [
    "sessions of superusers on pg-eus could not be ended and could still write: 2 of azure_pg_admin",
    "on pg-eus, role/database settings turn the fence off for: role app",
  ]);
  assert.deepEqual(notes(r).slice(3), [
    ["fence", "ok", "5 session(s) ended; WAL at 0/3000100"],
    ["catchUp", "failed", "Activity function 'failover-checkCatchUp' failed: boom "],
    ["fence", "ok", "default_transaction_read_only back to off"],
    ["restoreTtl", "ok", "TTL 30s → 3600s"],
  ]);
  assert.deepEqual(statusLines(r).slice(-3), [
    "fence: lifting the fence on pg-eus after the run stopped",
    "restoreTtl: restoring the CNAME TTL to 3600s after the run stopped",
    "done: failed: Activity function 'failover-checkCatchUp' failed: boom ",
  ]);
  assert.deepEqual(r.output.cname, {
    target: OLD,
    ttl: 3600,
    note: "still the old primary pg-eus: nothing was repointed",
  });
  assert.equal(
    r.output.fence?.note,
    "the fence on pg-eus was lifted (default_transaction_read_only back to off): it takes writes as before",
  );
  assert.deepEqual(auditLines(r), [
    `completed: failed at catchUp: CatchUpFailed Activity function 'failover-checkCatchUp' failed: boom ; CNAME → ${OLD} (still the old primary pg-eus: nothing was repointed)`,
  ]);
  assert.equal(r.output.rto.total, null, "no verified write: no recovery time");
});
