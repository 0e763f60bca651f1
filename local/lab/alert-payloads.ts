// Azure Monitor alerts in the common alert schema, as action groups deliver them (built from the schema in
// the Azure Monitor docs: metric, Resource Health and log search alerts differ in their alertContext). The
// drill fires one at the app (--alert); the tests build every kind.
import { randomUUID } from "node:crypto";

type Kind = "metric" | "resourceHealth" | "logSearch";

export function alertPayload(
  target: string,
  o: { kind?: Kind; condition?: "Fired" | "Resolved"; alertId?: string; rule?: string } = {},
) {
  const kind = o.kind ?? "metric";
  const alertId =
    o.alertId ?? `/subscriptions/${randomUUID()}/providers/Microsoft.AlertsManagement/alerts/${randomUUID()}`;
  const rule = o.rule ?? "pg-primary-down";
  const essentials = {
    alertId,
    alertRule: rule,
    severity: "Sev0",
    signalType: kind === "metric" ? "Metric" : kind === "logSearch" ? "Log" : "Activity Log",
    monitorCondition: o.condition ?? "Fired",
    monitoringService: kind === "metric" ? "Platform" : kind === "logSearch" ? "Log Alerts V2" : "Resource Health",
    alertTargetIDs: [target.toLowerCase()],
    configurationItems: [target.split("/").at(-1)],
    originAlertId: kind === "metric" ? `${rule}_${alertId.split("/").at(-1)}` : alertId.split("/").at(-1),
    firedDateTime: new Date().toISOString(),
    ...(o.condition === "Resolved" ? { resolvedDateTime: new Date().toISOString() } : {}),
    description:
      kind === "metric" ? "is_db_alive < 1 for 5 minutes" : kind === "logSearch" ? "no heartbeat" : "Unavailable",
    essentialsVersion: "1.0",
    alertContextVersion: "1.0",
  };
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
          },
        }
      : kind === "logSearch"
        ? {
            conditionType: "LogQueryCriteria",
            condition: {
              allOf: [
                {
                  searchQuery: "AzureDiagnostics | where Category == 'PostgreSQLLogs'",
                  operator: "LessThan",
                  threshold: "1",
                  metricValue: 0,
                },
              ],
            },
          }
        : {
            channels: "Admin, Operation",
            eventSource: "ResourceHealth",
            status: "Active",
            properties: {
              currentHealthStatus: "Unavailable",
              previousHealthStatus: "Available",
              type: "Downtime",
              cause: "PlatformInitiated",
            },
          };
  return { schemaId: "azureMonitorCommonAlertSchema", data: { essentials, alertContext, customProperties: null } };
}
