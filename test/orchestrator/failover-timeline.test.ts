// What a failover tells the people following it, driven through the real durable-functions replay with scripted
// activity results: the timeline's note per phase (the result's phases), the status line while it runs, the
// audit's closing line, and the warnings and fence note an operator acts on. (The fixtures are
// failover-fixtures.ts, shared with failover-exits.test.ts, which covers where each exit leaves the pair.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { drive, type Driven } from "./harness";
import { fail, fenced, forced, from, input, NEW, OLD, ready, script, ZONE } from "./failover-fixtures";
import { recordTranscripts } from "./transcript";

recordTranscripts("failover-timeline");

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
