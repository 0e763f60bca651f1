// Azure Monitor's common alert schema, reduced to what a failover decides on, and the pure decision of
// whether an alert concerns a pair's current primary. An alert is a hint: the orchestration confirms it.
import { z } from "zod";
import { sameResourceId } from "./names";

const essentials = z.object({
  alertId: z.string({ error: "is required" }).min(1, "is required"),
  alertRule: z.string({ error: "is required" }).min(1, "is required"),
  severity: z.string().optional(),
  signalType: z.string().optional(),
  monitorCondition: z.enum(["Fired", "Resolved"], { error: 'must be "Fired" or "Resolved"' }),
  monitoringService: z.string().optional(),
  alertTargetIDs: z
    .array(z.string(), { error: "is required: the ARM ids the alert is about" })
    .min(1, "is required: the ARM ids the alert is about"),
  originAlertId: z.string().optional(),
  firedDateTime: z.string().optional(),
  resolvedDateTime: z.string().optional(),
  description: z.string().nullish(),
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
  firedAt: string | null;
  severity: string | null;
  signalType: string | null;
  description: string | null;
}

export function parseAlert(body: unknown): { ok: true; alert: Alert } | { ok: false; field: string; message: string } {
  const r = commonAlertSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, field: issue.path.map(String).join(".") || "body", message: issue.message };
  }
  const e = r.data.data.essentials;
  return {
    ok: true,
    alert: {
      alertId: e.alertId,
      originAlertId: e.originAlertId ?? null,
      rule: e.alertRule,
      condition: e.monitorCondition,
      targetIds: e.alertTargetIDs,
      firedAt: e.firedDateTime ?? null,
      severity: e.severity ?? null,
      signalType: e.signalType ?? null,
      description: e.description ?? null,
    },
  };
}

/** The key two deliveries of the same alert share (Azure retries webhooks; several rules may fire). */
export function alertKey(a: Alert): string {
  return a.originAlertId ?? a.alertId;
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
