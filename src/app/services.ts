// The composition root: builds every client once from the validated configuration and hands activities
// and HTTP functions what they need. The only place that knows which concrete adapter is used.
import type { TokenCredential } from "@azure/core-auth";
import { audited } from "../activities/audited";
import type { ActivityImpls } from "../activities/catalog";
import { makeCheckPromotion } from "../activities/check-promotion";
import type { ActivityDeps } from "../activities/deps";
import { makeLowerTtl } from "../activities/lower-ttl";
import { makeCheckCatchUp } from "../activities/check-catch-up";
import { makeConfirmDown } from "../activities/confirm-down";
import { makeFence } from "../activities/fence";
import { makeFenceByArm } from "../activities/fence-by-arm";
import type { Fenced } from "../activities/fencing";
import { makeLiftFence } from "../activities/lift-fence";
import { makeWatchFence } from "../activities/watch-fence";
import { makePreflight } from "../activities/preflight";
import { makePromote } from "../activities/promote";
import { makeReadDecision } from "../activities/read-decision";
import { makeCheckOperation } from "../activities/check-operation";
import { makeCheckReplica } from "../activities/check-replica";
import { makeCreateReplica } from "../activities/create-replica";
import { makePlanReprotect } from "../activities/plan-reprotect";
import { makeRetireServer } from "../activities/retire-server";
import { makeJoinPair } from "../activities/join-pair";
import { makeRecordEvent } from "../activities/record-event";
import { makeReleaseLease } from "../activities/release-lease";
import { makeClaimPair } from "../activities/claim-pair";
import { makePlanEvacuation } from "../activities/plan-evacuation";
import { makeRepointCname } from "../activities/repoint-cname";
import { makeRestoreTtl } from "../activities/restore-ttl";
import { makeVerify } from "../activities/verify";
import { TableAuditJournal, type AuditJournal } from "../audit/journal";
import { Callers } from "../auth/callers";
import { createCredential } from "../azure/credential";
import { ArmDnsRecords } from "../azure/dns-records";
import { ArmFlexibleServers } from "../azure/flexible-servers";
import { ArmPermissions } from "../azure/permissions";
import { ArmResourceHealth } from "../azure/resource-health";
import { loadConfig, type AppConfig } from "../config/settings";
import { caBundle } from "../probe/ca-bundle";
import { PostgresProbe, type ProbeLogin } from "../probe/postgres-probe";
import { DnsNameResolver } from "../probe/resolver";
import { TableLeaseStore, type LeaseStore } from "../state/pair-leases";
import { TableDecisionStore } from "../state/decisions";
import { TablePairMembers, type PairMemberStore } from "../state/pair-members";
import { withMembership } from "../domain/membership";
import { TablePairState } from "../state/pair-state";
import { tableClient } from "../state/table-client";

/** Entra ID scope for Azure Database for PostgreSQL logins (the token is the password). */
export const POSTGRES_ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default";

export class UnknownPairError extends Error {
  readonly code = "PairNotFound";
  constructor(name: string, known: string[]) {
    super(`no pair named "${name}" is configured (configured: ${known.join(", ") || "none"})`);
  }
}

export interface Services {
  config: AppConfig;
  /** Verifies who calls the HTTP API (the tenant's keys are fetched once and cached here). */
  callers: Callers;
  deps: ActivityDeps;
  leases: LeaseStore;
  activities: ActivityImpls;
}

export function buildServices(
  config: AppConfig,
  credential: TokenCredential = createCredential(config.credential),
  /** Where stored memberships live; the state table unless given (lab tests without Azurite). */
  memberStore?: PairMemberStore,
): Services {
  const storage = config.audit;
  const journal: AuditJournal = new TableAuditJournal(tableClient(storage, storage.table, credential));
  const stateTable = tableClient(storage, storage.stateTable, credential);
  const state = new TablePairState(stateTable);
  const members = memberStore ?? new TablePairMembers(stateTable);
  const cas = new Map<string, string[]>();
  const deps: ActivityDeps = {
    async pair(name) {
      const seed = config.pairs.find((x) => x.name === name);
      if (!seed)
        throw new UnknownPairError(
          name,
          config.pairs.map((x) => x.name),
        );
      return withMembership(seed, (await members.read(name))?.value);
    },
    pairNames: () => config.pairs.map((p) => p.name),
    members,
    dns: new ArmDnsRecords(credential, config.arm),
    servers: new ArmFlexibleServers(credential, config.arm),
    health: new ArmResourceHealth(credential, config.arm),
    probe: new PostgresProbe(new DnsNameResolver(config.dnsServers)),
    permissions: new ArmPermissions(credential, config.arm),
    journal,
    state,
    decisions: new TableDecisionStore(stateTable),
    login(pair): ProbeLogin {
      const caKey = pair.probe.caFile ?? "";
      if (!cas.has(caKey)) cas.set(caKey, caBundle(pair.probe.caFile));
      const probe = pair.probe; // a local, so the auth narrowing below reaches the closure
      return {
        port: pair.probe.port,
        database: pair.probe.database,
        user: pair.probe.user,
        password:
          probe.auth === "entra"
            ? async () => (await credential.getToken(POSTGRES_ENTRA_SCOPE))?.token ?? ""
            : async () => config.secret(probe.passwordSetting) ?? "",
        ca: cas.get(caKey)!,
        connectTimeoutMs: pair.probe.connectTimeoutSeconds * 1000,
      };
    },
  };
  const leases = new TableLeaseStore(stateTable);
  const pairNames = () => config.pairs.map((p) => p.name);
  return {
    config,
    callers: Callers.fromConfig(config.auth),
    deps,
    leases,
    activities: buildActivities(deps, leases, pairNames),
  };
}

export function buildActivities(
  deps: ActivityDeps,
  leases: LeaseStore,
  pairNames: () => string[] = () => [],
): ActivityImpls {
  const j = deps.journal;
  const ttlNote = (o: { previousTtl: number; ttl: number; changed: boolean }) =>
    `TTL ${o.previousTtl}s → ${o.ttl}s${o.changed ? "" : " (already)"}`;
  return {
    preflight: audited(
      "preflight",
      j,
      (o) => (o.kind === "ready" ? `${o.from.name} → ${o.to.name}; lag ${o.lag?.bytes ?? "?"} bytes` : ""),
      makePreflight(deps),
    ),
    confirmDown: audited(
      "confirm",
      j,
      (o) => [...o.tries.map((t) => `${t.liveness}: ${t.detail}`), o.arm.detail, o.health.detail].join("; "),
      makeConfirmDown(deps),
    ),
    lowerTtl: audited("lowerTtl", j, ttlNote, makeLowerTtl(deps)),
    fence: audited("fence", j, fenceNote, makeFence(deps)),
    fenceByArm: audited(
      "fenceByArm",
      j,
      (o) => `${o.server}: default_transaction_read_only = on through ARM (open sessions are ended when it answers)`,
      makeFenceByArm(deps),
    ),
    liftFence: audited(
      "liftFence",
      j,
      (o, i) => `${i.server.name}: default_transaction_read_only back to ${o.value}`,
      makeLiftFence(deps),
    ),
    checkCatchUp: audited("catchUp", j, (o) => o.detail, makeCheckCatchUp(deps)),
    promote: audited("promote", j, (o) => `${o.kind}${o.note ? `: ${o.note}` : ""}`, makePromote(deps)),
    checkPromotion: audited("checkPromotion", j, (o) => `${o.progress}: ${o.detail}`, makeCheckPromotion(deps)),
    repointCname: audited(
      "repoint",
      j,
      (o, i) => `${i.fromTarget} → ${o.cname.target}${o.changed ? "" : " (already)"}`,
      makeRepointCname(deps),
    ),
    verify: audited(
      "verify",
      j,
      (o) =>
        o.kind === "verified"
          ? `${o.name} → ${o.address}: writable, verify-ca OK, verify-full ${o.verifyFull.ok ? "OK" : "refused"}`
          : `DNS still answers ${o.answer}`,
      makeVerify(deps),
    ),
    restoreTtl: audited("restoreTtl", j, ttlNote, makeRestoreTtl(deps)),
    watchFence: audited(
      "watchFence",
      j,
      (o, i) => `${i.server.name} is fenced when it answers again (watched until ${o.until})`,
      makeWatchFence(deps),
    ),
    recordEvent: makeRecordEvent(deps),
    readDecision: audited(
      "decision",
      j,
      (o) => (o.kind === "found" ? `${o.decision.decision} by ${o.decision.principal.name}` : "no stored decision"),
      makeReadDecision(deps),
    ),
    releaseLease: makeReleaseLease(leases),
    planEvacuation: audited(
      "plan",
      j,
      (o) => `${o.plan.filter((p) => p.included).length} of ${o.plan.length} pair(s) have their primary in the region`,
      makePlanEvacuation(deps, pairNames),
    ),
    claimPair: audited(
      "claim",
      j,
      (o, i) =>
        o.kind === "claimed"
          ? `${i.pair}: lease taken for ${i.instanceId}`
          : `${i.pair}: held by ${o.holder.instanceId}`,
      makeClaimPair(deps, leases),
    ),
    planReprotect: audited(
      "plan",
      j,
      (o) =>
        o.kind === "planned"
          ? `primary ${o.primary.name}; new replica ${o.target.name} in ${o.target.location} replaces ${o.old.name}`
          : "",
      makePlanReprotect(deps),
    ),
    createReplica: audited(
      "create",
      j,
      (o, i) =>
        o.kind === "exists"
          ? `${i.target.name} exists already (asked before)`
          : `${i.target.name}: ARM accepted the create`,
      makeCreateReplica(deps),
    ),
    checkReplica: audited(
      "replicate",
      j,
      (o, i) =>
        o.kind === "ready"
          ? `${i.target.name} ready: A record ${o.aRecord}, lag ${o.lagBytes} bytes`
          : o.kind === "waiting"
            ? o.detail
            : "",
      makeCheckReplica(deps),
    ),
    joinPair: audited(
      "join",
      j,
      (o, i) =>
        o.kind === "joined"
          ? `members: ${o.members.map((m) => m.resourceId.split("/").pop()).join(", ")} (${i.reason})`
          : "",
      makeJoinPair(deps),
    ),
    retireServer: audited(
      "retire",
      j,
      (o, i) => (o.kind === "done" ? o.note : `${i.how} ${i.server.name}: ARM accepted it`),
      makeRetireServer(deps),
    ),
    checkOperation: audited(
      "operation",
      j,
      (o) => ("status" in o ? o.status + (o.error ? `: ${o.error}` : "") : ""),
      makeCheckOperation(deps),
    ),
  };
}

function fenceNote(o: Fenced): string {
  const survivors = o.survivors.map((s) => `${s.sessions} of ${s.user}`).join(", ");
  return (
    `${o.server} fenced: new sessions read-only, ${o.ended} session(s) ended` +
    (survivors ? `; not ended (superusers): ${survivors}` : "") +
    (o.overrides.length ? `; overridden for ${o.overrides.join(", ")}` : "") +
    `; WAL at ${o.lsn}`
  );
}

let current: Services | undefined;

/** The app's services, built on first use from process.env (validated; throws a ConfigError). */
export function services(): Services {
  current ??= buildServices(loadConfig());
  return current;
}
