// The shape of one database pair in PGFLEX_PAIRS, with defaults that are safe for production.
import { z } from "zod";

const FLEX_ID =
  /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const ZONE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A pair's name: it becomes part of the instance id (failover-<name>) and is what the API accepts. */
export const PAIR_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const PAIR_NAME_RULE = "1-40 lower-case letters, digits or '-', not starting or ending with '-'";

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

export const serverSchema = z.strictObject({
  resourceId: z
    .string()
    .regex(
      FLEX_ID,
      "must be a Flexible Server ARM id: /subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>",
    ),
  aRecord: z
    .string()
    .regex(DNS_LABEL, "must be the relative name of the server's A record in the zone (one DNS label)"),
});

export const pairSchema = z.strictObject({
  name: z.string().regex(PAIR_NAME, `must be ${PAIR_NAME_RULE}`),
  dns: z.strictObject({
    subscriptionId: z.string().regex(UUID, "must be a subscription UUID"),
    resourceGroup: z.string().min(1).max(90),
    zone: z.string().regex(ZONE, "must be a DNS zone name such as privatelink.postgres.database.azure.com"),
    cname: z.string().regex(DNS_LABEL, "must be the relative name of the CNAME record (one DNS label)"),
  }),
  servers: z.tuple([serverSchema, serverSchema]),
  probe: z.strictObject({
    database: z.string().min(1).default("postgres"),
    user: z.string().min(1),
    auth: z.enum(["entra", "password"]).default("entra"),
    passwordSetting: z.string().regex(SETTING_NAME, "must be the name of an app setting").optional(),
    caFile: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(5432),
    connectTimeoutSeconds: seconds(1, 120).default(10),
  }),
  ttl: z
    .strictObject({
      failoverSeconds: seconds(1, 3600).default(30),
      restoreSeconds: z.union([z.literal("original"), seconds(1, 2147483647)]).default("original"),
    })
    .default({ failoverSeconds: 30, restoreSeconds: "original" }),
  promoteOption: z.enum(["Planned", "Forced"]).default("Planned"),
  timings: z
    .strictObject({
      drainCapSeconds: seconds(0, 86400).default(300),
      promoteDeadlineSeconds: seconds(10, 86400).default(3600),
      promotePollSeconds: seconds(1, 600).default(15),
      verifyDeadlineSeconds: seconds(1, 86400).default(600),
      verifyPollSeconds: seconds(1, 600).default(5),
      stabiliseSeconds: seconds(0, 86400).default(300),
    })
    .default({
      drainCapSeconds: 300,
      promoteDeadlineSeconds: 3600,
      promotePollSeconds: 15,
      verifyDeadlineSeconds: 600,
      verifyPollSeconds: 5,
      stabiliseSeconds: 300,
    }),
  retry: z
    .strictObject({
      firstIntervalSeconds: seconds(1, 3600).default(5),
      maxAttempts: z.number().int().min(1).max(20).default(5),
      backoffCoefficient: z.number().min(1).max(10).default(2),
      maxIntervalSeconds: seconds(1, 3600).default(60),
    })
    .default({ firstIntervalSeconds: 5, maxAttempts: 5, backoffCoefficient: 2, maxIntervalSeconds: 60 }),
});

export type PairConfig = z.output<typeof pairSchema>;
export type ServerConfig = z.output<typeof serverSchema>;

/** Parts of a Flexible Server ARM id (validated by the schema above). */
export function parseServerId(resourceId: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m = FLEX_ID.exec(resourceId);
  if (!m) throw new Error(`not a Flexible Server resource id: ${resourceId}`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! };
}
