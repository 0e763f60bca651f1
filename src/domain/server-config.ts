// One server of a pair as the configuration (and a stored membership) names it: its ARM id and its A record in
// the zone. Domain data: the configuration's schema and the membership's checks both validate with it.
import { z } from "zod";
import { DNS_LABEL, FLEX_ID } from "./names";

export const serverSchema = z.strictObject({
  resourceId: z
    .string()
    .regex(
      FLEX_ID,
      "must be a Flexible Server ARM id: /subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>",
    )
    .describe("ARM id of the server (`/subscriptions/…/flexibleServers/<name>`)"),
  aRecord: z
    .string()
    .regex(DNS_LABEL, "must be the relative name of the server's A record in the zone (one DNS label)")
    .describe("relative name of the server's A record in the zone: what the CNAME points at when it is primary"),
});

export type ServerConfig = z.output<typeof serverSchema>;
