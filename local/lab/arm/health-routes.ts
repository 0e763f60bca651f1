// Microsoft.ResourceHealth/availabilityStatuses/current on a Flexible Server: Azure's own word on whether the
// server is available, which the app requires (beside its own probe) before an alert fails over with no
// person approving. Shape: azure-rest-api-specs, specification/resourcehealth/resource-manager/
// Microsoft.ResourceHealth/stable/2022-10-01/examples/AvailabilityStatus_GetByResource.json (id, name, type,
// location, properties.availabilityState Available | Unavailable | Degraded | Unknown, summary, reasonType,
// occuredTime [sic], reportedTime). The lab's rule: a server whose region is down, or whose process is not
// running, is Unavailable (Unplanned); one stopped by a user is Unavailable (UserInitiated); else Available.
import { notFound } from "./errors";
import type { ArmRequest, Routes, Scope } from "./router";
import { checkScope } from "./router";
import type { FlexServers } from "../flex/servers";
import type { FlexServer } from "../flex/types";

export function healthRoutes(scope: Scope, servers: FlexServers): Routes {
  return (req: ArmRequest) => {
    const l = req.lower;
    const isHealth =
      l.length === 12 &&
      l[0] === "subscriptions" &&
      l[2] === "resourcegroups" &&
      l[4] === "providers" &&
      l[5] === "microsoft.dbforpostgresql" &&
      l[6] === "flexibleservers" &&
      l[8] === "providers" &&
      l[9] === "microsoft.resourcehealth" &&
      l[10] === "availabilitystatuses";
    if (!isHealth) return undefined;
    checkScope(req, scope);
    if (l[11] !== "current") throw notFound("NotFound", `The lab answers only availabilityStatuses/current.`);
    const s = servers.mustFind(req.segs[7]!);
    const resourceId = "/" + req.segs.slice(0, 8).join("/");
    return {
      status: 200,
      body: {
        id: `${resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`,
        name: "current",
        type: "Microsoft.ResourceHealth/AvailabilityStatuses",
        location: s.info.region,
        properties: { ...availability(s), reportedTime: new Date().toISOString() },
      },
    };
  };
}

function availability(s: FlexServer): { availabilityState: string; summary: string; reasonType?: string } {
  if (s.regionDown || (!s.userStopped && !s.node.isRunning()))
    return {
      availabilityState: "Unavailable",
      reasonType: "Unplanned",
      summary: "We're sorry, your Azure Database for PostgreSQL flexible server is unavailable.",
    };
  if (s.userStopped)
    return { availabilityState: "Unavailable", reasonType: "UserInitiated", summary: "The server was stopped." };
  return {
    availabilityState: "Available",
    summary: "There aren't any known Azure platform problems affecting this server.",
  };
}
