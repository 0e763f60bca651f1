// The app settings that point pgflex-failover at a running lab: the same code paths as in Azure, with the
// lab's ARM endpoint and CA, a static token instead of a managed identity, the lab's DNS server, Azurite
// for the audit journal, every pair of the lab in PGFLEX_PAIRS, timings short enough for a drill, the lab's token
// issuer as the tenant whose tokens the app validates (PGFLEX_AUTH_*), and App Service Authentication trusting
// the same issuer (the local host plays Easy Auth from the authsettingsV2 file named here).
import { LAB_PAIR } from "./names";
import type { LabInfo, LabPairInfo } from "./types";

export { LAB_PAIR };

export interface LabPairOverrides {
  timings?: Record<string, number>;
  retry?: Record<string, number>;
  ttl?: { failoverSeconds?: number; restoreSeconds?: number | "original" };
  promoteOption?: "Planned" | "Forced";
  /** Per-pair policies (the app's defaults otherwise: approval of forced failovers, alerts proposed, …). */
  approval?: { mode?: "never" | "forced" | "always"; twoPerson?: boolean; timeoutMinutes?: number };
  alerts?: {
    policy?: "off" | "propose" | "auto";
    confirmTries?: number;
    confirmSeconds?: number;
    maxAgeMinutes?: number;
    maxRunsPerHour?: number;
  };
  rpo?: { maxLagBytes?: number };
  fence?: { watchHours?: number; onReturn?: "readOnly" | "stop" };
  /**
   * App Service Authentication in front of the app (default true). false leaves out WEBSITE_AUTH_ENABLED and the
   * LOCALHOST_AUTH_* settings, as an app without Easy Auth has none; the app still validates callers' tokens.
   */
  auth?: boolean;
  /**
   * Overrides for single pairs by name ("lab-1": {timings: {drainCapSeconds: 0}}), applied over the ones above
   * (section by section: a pair's timings are merged with the common timings).
   */
  perPair?: Record<string, LabPairOverrides>;
}

/** Overrides that shape one pair's settings (auth and perPair are for the whole app). */
export type PairShape = Omit<LabPairOverrides, "auth" | "perPair">;

/** One pair's entry in PGFLEX_PAIRS (pair 0 unless another of `info.pairs` is given). */
export function labPair(info: LabInfo, o: PairShape = {}, pair: LabPairInfo = pairZero(info)) {
  return {
    name: pair.name,
    dns: {
      subscriptionId: info.subscriptionId,
      resourceGroup: info.resourceGroup,
      zone: info.zone,
      cname: pair.cnameRecord,
    },
    servers: [
      { resourceId: pair.servers.primary.resourceId, aRecord: pair.servers.primary.aRecord },
      { resourceId: pair.servers.replica.resourceId, aRecord: pair.servers.replica.aRecord },
    ],
    probe: {
      database: info.postgres.database,
      user: info.postgres.app.user,
      auth: "password",
      passwordSetting: "PGFLEX_LAB_PROBE_PASSWORD",
      caFile: info.caFile,
      port: info.postgres.port,
      connectTimeoutSeconds: 5,
    },
    ttl: { failoverSeconds: 30, restoreSeconds: "original", ...o.ttl },
    promoteOption: o.promoteOption ?? "Planned",
    timings: {
      drainCapSeconds: 2,
      promoteDeadlineSeconds: 120,
      promotePollSeconds: 1,
      verifyDeadlineSeconds: 30,
      verifyPollSeconds: 1,
      stabiliseSeconds: 2,
      // A re-protection's replica is ready in seconds here (minutes to hours in Azure).
      reprotectDeadlineSeconds: 300,
      reprotectPollSeconds: 1,
      ...o.timings,
    },
    retry: { firstIntervalSeconds: 1, maxAttempts: 4, backoffCoefficient: 2, maxIntervalSeconds: 5, ...o.retry },
    ...(o.approval ? { approval: o.approval } : {}),
    // Alert runs confirm quickly in the lab (a few tries over seconds, not half a minute).
    alerts: { confirmTries: 3, confirmSeconds: 2, ...o.alerts },
    ...(o.rpo ? { rpo: o.rpo } : {}),
    ...(o.fence ? { fence: o.fence } : {}),
  };
}

export function appSettingsFor(info: LabInfo, overrides: LabPairOverrides = {}): Record<string, string> {
  const names = pairsOf(info).map((p) => p.name);
  for (const name of Object.keys(overrides.perPair ?? {}))
    if (!names.includes(name)) throw new Error(`perPair: no lab pair '${name}' (pairs: ${names.join(", ")})`);
  return {
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureWebJobsStorage: info.azurite.connectionString,
    ...(info.azurite.tables
      ? { PGFLEX_AUDIT_TABLE: info.azurite.tables.audit, PGFLEX_STATE_TABLE: info.azurite.tables.state }
      : {}),
    PGFLEX_PAIRS: JSON.stringify(pairsOf(info).map((p) => labPair(info, shapeFor(overrides, p.name), p))),
    PGFLEX_ARM_ENDPOINT: info.arm.endpoint,
    PGFLEX_ARM_CA_FILE: info.caFile,
    PGFLEX_CREDENTIAL: "staticToken",
    PGFLEX_STATIC_TOKEN: info.arm.token,
    PGFLEX_DNS_SERVERS: `${info.dns.host}:${info.dns.port}`,
    PGFLEX_LAB_PROBE_PASSWORD: info.postgres.app.password,
    ...callerSettings(info),
    ...(overrides.auth === false ? {} : authSettings(info)),
  };
}

/** A LabInfo from before the lab had several pairs describes one, pair 0. */
function pairsOf(info: LabInfo): LabPairInfo[] {
  return info.pairs?.length ? info.pairs : [pairZero(info)];
}

function pairZero(info: LabInfo): LabPairInfo {
  return info.pairs?.[0] ?? { name: LAB_PAIR, cnameRecord: info.cnameRecord, servers: info.servers };
}

/** The common overrides with the pair's own merged over them, section by section. */
export function shapeFor(o: LabPairOverrides, pair: string): PairShape {
  const { auth: _auth, perPair, ...common } = o;
  const own = perPair?.[pair];
  if (!own) return common;
  const { auth: _a, perPair: _p, ...mine } = own;
  const merged: Record<string, unknown> = { ...common };
  for (const [k, v] of Object.entries(mine)) {
    const base = merged[k];
    merged[k] =
      v && typeof v === "object" && base && typeof base === "object" ? { ...(base as object), ...(v as object) } : v;
  }
  return merged as PairShape;
}

/**
 * Whose tokens the app accepts, with or without Easy Auth in front: the lab issuer's tenant and app registration.
 * The issuer lives at <origin>/<tenant>/v2.0, as Entra's does at https://login.microsoftonline.com/<tenant>/v2.0,
 * so the authority is its origin; its certificate is from the lab CA.
 */
function callerSettings(info: LabInfo): Record<string, string> {
  return {
    PGFLEX_AUTH_TENANT_ID: info.identity.tenantId,
    PGFLEX_AUTH_CLIENT_ID: info.identity.clientId,
    PGFLEX_AUTH_AUTHORITY: new URL(info.identity.issuer).origin,
    PGFLEX_AUTH_CA_FILE: info.caFile,
  };
}

/** What App Service sets when Easy Auth is on, and where the local host finds its configuration and CA. */
function authSettings(info: LabInfo): Record<string, string> {
  return {
    WEBSITE_AUTH_ENABLED: "True",
    LOCALHOST_AUTH_SETTINGS_FILE: info.identity.authSettingsFile,
    // The issuer's certificate is from the lab CA: the metadata and JWKS are fetched with TLS verified against it.
    LOCALHOST_AUTH_CA_FILE: info.caFile,
  };
}
