// Every way out of the failover runbook, driven through the real durable-functions replay with scripted
// activity results: the outcome and its code, where the CNAME is left, and which compensations ran.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CheckPromotionResult, PreflightResult, VerifyResult } from "../../src/activities/contracts";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import { drive, type Script } from "./harness";

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
const from = { ...ref("pg-eus", OLD), state: { resourceId: "x", name: "pg-eus", state: "Ready", role: "Primary" } };
const to = {
  ...ref("pg-wus", NEW),
  state: { resourceId: "y", name: "pg-wus", state: "Ready", role: "GeoAsyncReplica" },
};
const cname = { fqdn: `prod.${ZONE}`, target: OLD, ttl: 3600, etag: "e1" };

const input: FailoverInput = {
  runId: "00000000-0000-0000-0000-0000000000aa",
  pair: "prod",
  option: "Planned",
  reason: "drill",
  requestedBy: "tester",
  requestedAt: "2026-11-27T03:00:00.000Z",
  source: "http",
  dryRun: false,
  policy: {
    ttl: { failoverSeconds: 30, restoreSeconds: "original" },
    timings: {
      drainCapSeconds: 300,
      promoteDeadlineSeconds: 600,
      promotePollSeconds: 15,
      verifyDeadlineSeconds: 60,
      verifyPollSeconds: 5,
      stabiliseSeconds: 300,
    },
    retry: { firstIntervalSeconds: 5, maxAttempts: 3, backoffCoefficient: 2, maxIntervalSeconds: 60 },
  },
};

const ready: PreflightResult = {
  kind: "ready",
  cname,
  from,
  to,
  lag: { bytes: 0, replaySeconds: 0, measuredAt: input.requestedAt, primaryReachable: true },
  warnings: [],
};
const checked = (
  progress: "notStarted" | "promoting" | "writable",
  detail: string = progress,
): CheckPromotionResult => ({
  kind: "checked",
  progress,
  state: to.state,
  inRecovery: progress === "writable" ? false : null,
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
};

/** The happy path; each test overrides what it breaks. */
function script(over: Script = {}): Script {
  let polls = 0;
  let ttl = 3600;
  return {
    preflight: () => ready,
    lowerTtl: (i) => ((ttl = i.ttl), { kind: "done", ttl: i.ttl, previousTtl: 3600, etag: "e2", changed: true }),
    promote: () => ({ kind: "started", state: to.state }),
    checkPromotion: () => (++polls < 3 ? checked("promoting") : checked("writable")),
    repointCname: (i) => ({ kind: "done", changed: true, cname: { ...cname, target: i.toTarget, ttl } }),
    verify: () => verified,
    restoreTtl: (i) => {
      const prev = ttl;
      ttl = i.ttl;
      return { kind: "done", ttl: i.ttl, previousTtl: prev, etag: "e9", changed: prev !== i.ttl };
    },
    ...over,
  };
}

const fail = (msg: string) => () => new Error(msg);

describe("failover runbook exits", () => {
  test("the happy path runs the steps in order, restores the TTL, and measures the RTO up to the verified write", async () => {
    const r = await drive(input, script());
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
    assert.deepEqual(r.steps, [
      "preflight",
      "lowerTtl",
      "promote",
      "checkPromotion",
      "repointCname",
      "verify",
      "restoreTtl",
      "recordEvent",
      "releaseLease",
    ]);
    assert.deepEqual(r.output.cname, {
      target: NEW,
      ttl: 3600,
      note: "the new primary pg-wus, proven writable through its own name",
    });
    assert.deepEqual(
      r.output.phases.map((p) => [p.phase, p.outcome]),
      [
        ["preflight", "ok"],
        ["lowerTtl", "ok"],
        ["drain", "ok"],
        ["promote", "ok"],
        ["repoint", "ok"],
        ["verify", "ok"],
        ["stabilise", "ok"],
        ["restoreTtl", "ok"],
      ],
    );
    assert.equal(r.output.rto.drain, 300, "a planned failover drains the old TTL, capped at drainCapSeconds");
    // The promote call, then polls 1, 2, 3 with 15 s between them (each activity takes 10 virtual ms).
    assert.equal(r.output.rto.promote, 30.04);
    assert.ok(r.output.rto.total! > 330 && r.output.rto.total! < 340, String(r.output.rto.total));
    assert.equal(r.calls.at(-1)!.key, "releaseLease", "the pair's lease is released last");
  });

  test("a refused preflight changes nothing and runs no compensation", async () => {
    const r = await drive(
      input,
      script({ preflight: () => ({ kind: "refused", code: "NoReplica", reason: "pg-wus is not a replica", cname }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["refused", "NoReplica", "preflight"]);
    assert.deepEqual(r.output.cname, { target: OLD, ttl: 3600, note: "unchanged" });
    assert.deepEqual(r.steps, ["preflight", "recordEvent", "releaseLease"]);
  });

  test("a dry run stops after preflight with the plan", async () => {
    const r = await drive({ ...input, dryRun: true }, script());
    assert.deepEqual([r.output.outcome, r.output.from, r.output.to], ["dryRun", "pg-eus", "pg-wus"]);
    assert.deepEqual(r.steps, ["preflight", "recordEvent", "releaseLease"]);
  });

  test("lowerTtl refused (someone repointed the CNAME): refused, and the TTL compensation runs", async () => {
    const r = await drive(
      input,
      script({ lowerTtl: () => ({ kind: "refused", code: "ConcurrentChange", reason: "changed" }) }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "ConcurrentChange", "lowerTtl"],
    );
    assert.deepEqual(r.steps, ["preflight", "lowerTtl", "restoreTtl", "recordEvent", "releaseLease"]);
    assert.match(r.output.cname.note, /still the old primary pg-eus: nothing was repointed/);
  });

  test("lowerTtl failing on every attempt: failed after the retry policy's attempts, TTL restored", async () => {
    const r = await drive(input, script({ lowerTtl: fail("HTTP 503") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "LowerTtlFailed"]);
    assert.equal(r.calls.filter((c) => c.key === "lowerTtl").length, 3, "maxAttempts");
    assert.match(r.output.reason!, /HTTP 503/);
    assert.equal(r.calls.filter((c) => c.key === "restoreTtl").length, 1);
  });

  test("promote refused by ARM: refused, TTL restored, nothing repointed", async () => {
    const r = await drive(
      input,
      script({
        promote: () => ({
          kind: "refused",
          code: "AuthorizationFailed",
          reason: "ARM refused to promote pg-wus (HTTP 403 AuthorizationFailed)",
        }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "AuthorizationFailed", "promote"],
    );
    assert.deepEqual(r.steps, ["preflight", "lowerTtl", "promote", "restoreTtl", "recordEvent", "releaseLease"]);
    assert.equal(r.output.cname.target, OLD);
  });

  test("a promote that does not take effect stops after three idle polls and says it may still complete", async () => {
    const r = await drive(
      input,
      script({ checkPromotion: () => checked("notStarted", "pg-wus is still a replica and not updating") }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteDidNotTakeEffect"]);
    assert.equal(r.calls.filter((c) => c.key === "checkPromotion").length, 3);
    assert.match(r.output.cname.note, /promote of pg-wus was accepted and may still complete/);
    assert.ok(!r.steps.includes("repointCname"));
  });

  test("a promote past its deadline: failed, TTL restored, the CNAME stays on the old primary", async () => {
    const r = await drive(input, script({ checkPromotion: () => checked("promoting", "ARM: state Updating") }));
    assert.deepEqual([r.output.outcome, r.output.code], ["failed", "PromoteDeadlineExceeded"]);
    assert.match(r.output.reason!, /not writable within 600s: ARM: state Updating/);
    assert.equal(r.calls.filter((c) => c.key === "checkPromotion").length, 600 / 15 + 1);
    assert.deepEqual(r.steps.slice(-3), ["restoreTtl", "recordEvent", "releaseLease"]);
    assert.equal(r.output.cname.target, OLD);
  });

  test("checkPromotion errors are tolerated until the deadline (the promote is still tracked)", async () => {
    let n = 0;
    const r = await drive(
      input,
      script({ checkPromotion: () => (++n <= 6 ? new Error("ECONNRESET") : checked("writable")) }),
    );
    assert.equal(r.output.outcome, "succeeded", r.output.reason);
  });

  test("repoint refused because someone else changed the CNAME: their change is kept and reported", async () => {
    const theirs = `cccccccccccc.${ZONE}`;
    const r = await drive(
      input,
      script({
        repointCname: () => ({
          kind: "refused",
          code: "ConcurrentChange",
          reason: "set by someone else",
          cname: { ...cname, target: theirs },
        }),
      }),
    );
    assert.deepEqual(
      [r.output.outcome, r.output.code, r.output.failedStep],
      ["refused", "ConcurrentChange", "repoint"],
    );
    assert.equal(r.output.cname.target, theirs);
    assert.equal(r.output.cname.note, "not moved by this run");
    assert.ok(r.output.warnings.some((w) => /pg-wus is promoted and writable but the CNAME was not moved/.test(w)));
    assert.ok(r.steps.includes("restoreTtl"));
  });

  test("DNS that never answers the new target: DnsNotConverged after the verify deadline, TTL restored", async () => {
    const r = await drive(input, script({ verify: () => ({ kind: "dnsNotYet", answer: OLD, ttl: 30 }) }));
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["failed", "DnsNotConverged", "verify"]);
    assert.equal(r.calls.filter((c) => c.key === "verify").length, 60 / 5 + 1);
    assert.equal(r.output.cname.target, NEW, "the CNAME stays on the promoted server, proven writable by its own name");
    assert.ok(r.steps.includes("restoreTtl"));
  });

  test("the wrong server answering through the CNAME: refused WrongServer", async () => {
    const r = await drive(
      input,
      script({ verify: () => ({ kind: "refused", code: "WrongServer", reason: "certificate does not name pg-wus" }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code, r.output.failedStep], ["refused", "WrongServer", "verify"]);
    assert.equal(r.output.verification, null);
  });

  test("a server that is not writable through the CNAME: refused NotWritable", async () => {
    const r = await drive(
      input,
      script({ verify: () => ({ kind: "refused", code: "NotWritable", reason: "transaction_read_only on" }) }),
    );
    assert.deepEqual([r.output.outcome, r.output.code], ["refused", "NotWritable"]);
  });

  test("a TTL that cannot be restored does not undo a verified failover: succeeded, with a warning", async () => {
    const r = await drive(input, script({ restoreTtl: fail("HTTP 500") }));
    assert.equal(r.output.outcome, "succeeded");
    assert.ok(
      r.output.warnings.some((w) => /the CNAME TTL was not restored: .*HTTP 500/.test(w)),
      r.output.warnings.join("; "),
    );
    assert.equal(r.output.phases.at(-1)!.outcome, "failed");
  });

  test("forced: no drain", async () => {
    const r = await drive({ ...input, option: "Forced" }, script());
    assert.equal(r.output.outcome, "succeeded");
    assert.equal(r.output.phases.find((p) => p.phase === "drain")!.outcome, "skipped");
  });
});
