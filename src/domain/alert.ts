// Azure Monitor's common alert schema, reduced to what a failover decides on, and the pure decisions about an
// alert: which pairs it concerns, the key its deliveries share, and whether it may start a run (fresh, and
// under the pair's rate). An alert is a hint: the orchestration confirms it.
//
// Every essentials field that reaches the host log, the audit or the status view follows the API's free-text
// rule (one line of visible text, capped): a rule name holding "\n[host] …" once wrote forged lines into the
// host log. Shapes from Microsoft's "Common alert schema" and "Sample alert payloads" pages (Azure Monitor
// docs, articles/azure-monitor/alerts/alerts-common-schema.md and alerts-payload-samples.md): `alertId` is
// "the unique resource ID that identifies the alert instance"; `originAlertId` of a metric alert is
// "<subscription>_<resource group>_microsoft.insights_metricAlerts_<rule>_<number>", the same for every
// instance of that rule on that resource; `severity`, `signalType`, `originAlertId` may be null.
import { z } from "zod";
import { sameResourceId } from "./names";
import { customIssue, issueField, unsafeTextProblem } from "./failover-request";

/** One line of visible text, at most `max` characters; `required` also refuses blank. */
function line(max: number, required?: string) {
  return z
    .string(required ? { error: `is required: ${required}` } : { error: "must be a string" })
    .superRefine((text, ctx) => {
      const problem = unsafeTextProblem(text);
      if (problem) ctx.addIssue(customIssue(problem));
      else if ([...text].length > max) ctx.addIssue(customIssue(`must be at most ${max} characters`));
      else if (required && text.trim() === "") ctx.addIssue(customIssue(`is required: ${required}`));
    });
}

// ISO 8601 with a zone, as Azure writes it ("2019-03-22T13:58:24.3713213Z").
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const time = (required?: string) =>
  z
    .string(required ? { error: `is required: ${required}` } : { error: "must be a string" })
    .refine((t) => ISO_TIME.test(t) && !Number.isNaN(Date.parse(t)), "must be an ISO 8601 time with a zone (UTC)");

/** Caps: an ARM id is at most a few hundred characters; rule names and descriptions are short in Azure. */
export const ALERT_LIMITS = { id: 1024, rule: 260, description: 1024, word: 64, targets: 50 };

const essentials = z.object({
  alertId: line(ALERT_LIMITS.id, "the alert instance's id"),
  alertRule: line(ALERT_LIMITS.rule, "the alert rule's name"),
  severity: line(ALERT_LIMITS.word).nullish(),
  signalType: line(ALERT_LIMITS.word).nullish(),
  monitorCondition: z.enum(["Fired", "Resolved"], { error: 'must be "Fired" or "Resolved"' }),
  monitoringService: line(ALERT_LIMITS.word).nullish(),
  alertTargetIDs: z
    .array(line(ALERT_LIMITS.id, "an ARM id"), { error: "is required: the ARM ids the alert is about" })
    .min(1) // [] gets the array's own error, above
    .max(ALERT_LIMITS.targets, `must name at most ${ALERT_LIMITS.targets} resources`),
  originAlertId: line(ALERT_LIMITS.id).nullish(),
  firedDateTime: time("when the alert fired"),
  resolvedDateTime: time().nullish(),
  description: line(ALERT_LIMITS.description).nullish(),
});

export const commonAlertSchema = z.object({
  schemaId: z.literal("azureMonitorCommonAlertSchema", {
    error: 'must be "azureMonitorCommonAlertSchema" (turn on the common alert schema in the action group)',
  }),
  data: z.object(
    { essentials, alertContext: z.unknown().optional(), customProperties: z.unknown().optional() },
    { error: "is required" },
  ),
});

export interface Alert {
  alertId: string;
  originAlertId: string | null;
  rule: string;
  condition: "Fired" | "Resolved";
  targetIds: string[];
  firedAt: string;
  severity: string | null;
  signalType: string | null;
  description: string | null;
}

export function parseAlert(body: unknown): { ok: true; alert: Alert } | { ok: false; field: string; message: string } {
  const r = commonAlertSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, field: issueField(issue), message: issue.message };
  }
  const e = r.data.data.essentials;
  return {
    ok: true,
    alert: {
      alertId: e.alertId,
      originAlertId: e.originAlertId ?? null,
      rule: e.alertRule.trim(),
      condition: e.monitorCondition,
      targetIds: e.alertTargetIDs,
      firedAt: e.firedDateTime,
      severity: e.severity ?? null,
      signalType: e.signalType ?? null,
      description: e.description?.trim() || null,
    },
  };
}

/**
 * The key deliveries of the same alert instance share: `alertId`, which its Fired and Resolved notices (and
 * Azure's retries) carry. Not `originAlertId`: for a metric alert it is the same for every instance of the
 * rule on the resource, so keying on it made every later outage a "duplicate" of the first.
 */
export function alertKey(a: Alert): string {
  return a.alertId;
}

/** How far ahead of our clock a firedDateTime may be (clock skew) before it is not believed. */
export const FUTURE_SKEW_MS = 5 * 60_000;
/** The window of the pair's alert rate limit (alerts.maxRunsPerHour). */
export const RUN_WINDOW_MS = 60 * 60_000;

type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * A Fired alert acts only while it is fresh: fired within the pair's alerts.maxAgeMinutes, and not in the
 * future beyond clock skew. An old notice (a retry that arrives late, a replayed request) never starts a run.
 */
export function alertIsFresh(firedAt: string, maxAgeMinutes: number, nowMs: number): Verdict {
  const ageMs = nowMs - Date.parse(firedAt);
  if (ageMs > maxAgeMinutes * 60_000)
    return {
      ok: false,
      reason: `stale: fired at ${firedAt}, ${Math.floor(ageMs / 60_000)} minutes ago, beyond alerts.maxAgeMinutes (${maxAgeMinutes}); an old alert never starts a run`,
    };
  if (-ageMs > FUTURE_SKEW_MS)
    return {
      ok: false,
      reason: `fired at ${firedAt}, more than ${FUTURE_SKEW_MS / 60_000} minutes in the future: not believed`,
    };
  return { ok: true };
}

/** Alerts may start at most alerts.maxRunsPerHour runs of a pair in any hour (`recentRuns`: their start times). */
export function underAlertRunRate(recentRuns: readonly string[], maxRunsPerHour: number, nowMs: number): Verdict {
  const inWindow = recentRuns.filter((at) => nowMs - Date.parse(at) < RUN_WINDOW_MS).length;
  if (inWindow < maxRunsPerHour) return { ok: true };
  return {
    ok: false,
    reason: `rate limited: alerts started ${inWindow} runs of this pair in the last hour (alerts.maxRunsPerHour: ${maxRunsPerHour}); a person can still request a failover`,
  };
}

export interface PairServers {
  name: string;
  servers: { resourceId: string }[];
}

/** The configured pairs one of whose servers the alert names (ARM ids compared case-insensitively). */
export function pairsAlerted<P extends PairServers>(alert: Alert, pairs: P[]): { pair: P; serverId: string }[] {
  return pairs.flatMap((pair) => {
    const s = pair.servers.find((srv) => alert.targetIds.some((t) => sameResourceId(t, srv.resourceId)));
    return s ? [{ pair, serverId: s.resourceId }] : [];
  });
}
