// Azure Monitor alerts in the common alert schema, as action groups deliver them. Shapes copied from Microsoft's
// "Sample alert payloads" and "Common alert schema" pages (Azure Monitor docs,
// MicrosoftDocs/azure-monitor-docs articles/azure-monitor/alerts/alerts-payload-samples.md and
// alerts-common-schema.md):
// - metric (monitoringService "Platform"): `alertId` /subscriptions/<sub>/providers/Microsoft.AlertsManagement/
//   alerts/<guid>, one per alert instance, carried by its Fired and its Resolved notice; `originAlertId`
//   "<sub>_<resource group>_microsoft.insights_metricAlerts_<rule>_<number>": the same for every instance of
//   the rule on the resource (here the number is a hash of the resource id);
// - log search ("Log Alerts V2", signalType "Log"): `alertId` per instance as above; `originAlertId` a GUID —
//   whether it changes per instance is not documented, so the lab keeps it fixed per rule and resource;
// - activity log ("Activity Log - Administrative") and Resource Health (an activity log alert, eventSource
//   "ResourceHealth"): the test-action sample's `alertId` is the activity log alert rule's own id
//   (…/microsoft.insights/activityLogAlerts/<rule>), the same for every notice, and `originAlertId` is
//   "<eventDataId>_<hash>", one per event; they are never Resolved (an activity log alert is stateless).
// `firedDateTime` is the instance's; a Resolved notice adds `resolvedDateTime`. The drill fires one at the app
// (--alert); the tests build every kind.
import { createHash, randomUUID } from "node:crypto";

export type AlertKind = "metric" | "logSearch" | "resourceHealth" | "activityLog";

export interface AlertOptions {
  kind?: AlertKind;
  condition?: "Fired" | "Resolved";
  /** The instance's id: pass a Fired notice's alertId to build its re-delivery or its Resolved notice. */
  alertId?: string;
  rule?: string;
  /** When the instance fired (default now). */
  firedAt?: Date;
  description?: string;
}

const ZERO_SUB = "00000000-0000-0000-0000-000000000000";

function scope(target: string): { sub: string; rg: string; name: string } {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(target);
  return { sub: m?.[1] ?? ZERO_SUB, rg: m?.[2] ?? "rg", name: target.split("/").at(-1) ?? target };
}

/** A signed 32-bit number derived from the text, the shape of the sample's "-117781227". */
function number32(text: string): number {
  return createHash("sha256").update(text.toLowerCase()).digest().readInt32BE(0);
}

/** A GUID derived from the text: stable per rule and resource. */
function stableGuid(text: string): string {
  const h = createHash("sha256").update(text.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The alertId of a new instance of a stateful (metric, log search) alert. */
export function newAlertInstanceId(target: string): string {
  return `/subscriptions/${scope(target).sub}/providers/Microsoft.AlertsManagement/alerts/${randomUUID()}`;
}

export function alertPayload(target: string, o: AlertOptions = {}) {
  const kind = o.kind ?? "metric";
  const rule = o.rule ?? "pg-primary-down";
  const { sub, rg, name } = scope(target);
  const stateless = kind === "resourceHealth" || kind === "activityLog";
  const alertId =
    o.alertId ??
    (stateless
      ? `/subscriptions/${sub}/resourceGroups/${rg}/providers/microsoft.insights/activityLogAlerts/${rule}`
      : newAlertInstanceId(target));
  const firedAt = (o.firedAt ?? new Date()).toISOString();
  const eventDataId = randomUUID();
  const originAlertId =
    kind === "metric"
      ? `${sub}_${rg}_microsoft.insights_metricAlerts_${rule}_${number32(target)}`
      : kind === "logSearch"
        ? stableGuid(`${rule}|${target}`)
        : `${eventDataId}_${createHash("sha256").update(eventDataId).digest("hex").slice(0, 32)}`;
  const essentials = {
    alertId,
    alertRule: rule,
    severity: "Sev0",
    signalType: kind === "metric" ? "Metric" : kind === "logSearch" ? "Log" : "Activity Log",
    monitorCondition: o.condition ?? "Fired",
    monitoringService:
      kind === "metric"
        ? "Platform"
        : kind === "logSearch"
          ? "Log Alerts V2"
          : kind === "resourceHealth"
            ? "ResourceHealth"
            : "Activity Log - Administrative",
    alertTargetIDs: [target.toLowerCase()],
    configurationItems: [name.toLowerCase()],
    originAlertId,
    firedDateTime: firedAt,
    ...(o.condition === "Resolved" ? { resolvedDateTime: new Date().toISOString() } : {}),
    description: o.description ?? (kind === "metric" ? "is_db_alive < 1 for 5 minutes" : ""),
    essentialsVersion: "1.0",
    alertContextVersion: "1.0",
  };
  const window = { windowStartTime: new Date(Date.parse(firedAt) - 300_000).toISOString(), windowEndTime: firedAt };
  const alertContext =
    kind === "metric"
      ? {
          properties: null,
          conditionType: "SingleResourceMultipleMetricCriteria",
          condition: {
            windowSize: "PT5M",
            allOf: [
              {
                metricName: "is_db_alive",
                metricNamespace: "Microsoft.DBforPostgreSQL/flexibleServers",
                operator: "LessThan",
                threshold: "1",
                timeAggregation: "Maximum",
                dimensions: [],
                metricValue: 0,
              },
            ],
            ...window,
          },
        }
      : kind === "logSearch"
        ? {
            properties: {},
            conditionType: "LogQueryCriteria",
            condition: {
              windowSize: "PT5M",
              allOf: [
                {
                  searchQuery: "AzureDiagnostics | where Category == 'PostgreSQLLogs'",
                  metricMeasureColumn: null,
                  targetResourceTypes: "['Microsoft.DBforPostgreSQL/flexibleServers']",
                  operator: "LessThan",
                  threshold: "1",
                  timeAggregation: "Count",
                  dimensions: [],
                  metricValue: 0,
                  failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
                },
              ],
              ...window,
            },
          }
        : kind === "resourceHealth"
          ? {
              channels: "Admin, Operation",
              correlationId: randomUUID(),
              eventSource: "ResourceHealth",
              eventTimestamp: firedAt,
              eventDataId,
              level: "Critical",
              operationName: "Microsoft.Resourcehealth/healthevent/Activated/action",
              operationId: randomUUID(),
              properties: {
                title: "The database server is unavailable",
                details: null,
                currentHealthStatus: "Unavailable",
                previousHealthStatus: "Available",
                type: "Downtime",
                cause: "PlatformInitiated",
              },
              status: "Active",
              submissionTimestamp: firedAt,
            }
          : {
              authorization: { action: "Microsoft.DBforPostgreSQL/flexibleServers/restart/action", scope: target },
              channels: "Operation",
              claims: "{}",
              caller: "lab@lab.example",
              correlationId: randomUUID(),
              eventSource: "Administrative",
              eventTimestamp: firedAt,
              eventDataId,
              level: "Informational",
              operationName: "Microsoft.DBforPostgreSQL/flexibleServers/restart/action",
              operationId: randomUUID(),
              properties: { eventCategory: "Administrative", entity: target },
              status: "Succeeded",
              subStatus: "",
              submissionTimestamp: firedAt,
            };
  return { schemaId: "azureMonitorCommonAlertSchema", data: { essentials, alertContext, customProperties: null } };
}
