// The failover runbook's test world, shared by the orchestrator tests: a pair (pg-eus primary, pg-wus replica), a
// request, and a script of activity results for the happy path that each test overrides where it breaks it.
import type { CheckPromotionResult, PreflightResult, VerifyResult } from "../../src/activities/contracts";
import type { FailoverInput } from "../../src/orchestrations/failover-types";
import { alice, TEST_POLICY, type Driven, type Script } from "./harness";

export const ZONE = "corp.private.postgres.database.azure.com";
export const OLD = `aaaaaaaaaaaa.${ZONE}`;
export const NEW = `bbbbbbbbbbbb.${ZONE}`;
export const ref = (name: string, aRecordFqdn: string) => ({
  resourceId: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`,
  name,
  aRecord: aRecordFqdn.split(".")[0]!,
  aRecordFqdn,
  fqdn: `${name}.postgres.database.azure.com`,
});
export const plane = (inRecovery: boolean) => ({ reachable: true, inRecovery, readOnlyDefault: "off" });
export const from = {
  ...ref("pg-eus", OLD),
  state: { resourceId: "x", name: "pg-eus", state: "Ready", role: "Primary" },
  dataPlane: plane(false),
};
export const to = {
  ...ref("pg-wus", NEW),
  state: { resourceId: "y", name: "pg-wus", state: "Ready", role: "GeoAsyncReplica" },
  dataPlane: plane(true),
};
export const cname = { fqdn: `prod.${ZONE}`, target: OLD, ttl: 3600, etag: "e1" };

export const input: FailoverInput = {
  runId: "00000000-0000-0000-0000-0000000000aa",
  pair: "prod",
  option: "Planned",
  reason: "drill",
  requester: alice,
  note: null,
  requestedAt: "2026-11-27T03:00:00.000Z",
  source: "http",
  dryRun: false,
  mode: "failover",
  acceptDataLoss: false,
  policy: TEST_POLICY,
};
export const forced: FailoverInput = { ...input, option: "Forced" };

export const measured = { bytes: 0, replaySeconds: 0, source: "measured" as const, measuredAt: input.requestedAt };
export const ready: PreflightResult = {
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
export const checked = (
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
export const verified: VerifyResult = {
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
export const fenced = {
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
export function script(over: Script = {}): Script {
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

export const fail = (msg: string) => () => new Error(msg);
export const count = (r: Driven, key: string) => r.calls.filter((c) => c.key === key).length;
