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

const probeFields = {
  database: z.string().min(1).default("postgres"),
  user: z.string().min(1),
  caFile: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).default(5432),
  connectTimeoutSeconds: seconds(1, 120).default(10),
};

// How the probe logs in: its Entra token (the managed identity), or a password held in another app setting.
// A union, so a password probe always has its setting and an Entra probe never carries an unused one.
const probeSchema = z.discriminatedUnion(
  "auth",
  [
    z.strictObject(
      { ...probeFields, auth: z.literal("entra").default("entra") },
      {
        error: (iss) =>
          iss.code === "unrecognized_keys" && iss.keys.includes("passwordSetting")
            ? 'passwordSetting is used only with auth "password" (auth is "entra", the default)'
            : undefined,
      },
    ),
    z.strictObject({
      ...probeFields,
      auth: z.literal("password"),
      passwordSetting: z
        .string({ error: 'is required when auth is "password": the name of the app setting holding the password' })
        .regex(SETTING_NAME, "must be the name of an app setting"),
    }),
  ],
  { error: (iss) => (iss.code === "invalid_union" ? 'must be "entra" or "password"' : undefined) },
);

/**
 * Every poll of the writable and DNS waits adds events to the orchestration's history, which is replayed in
 * full at each step: a run allowing thousands of polls gets slower and costlier with each one.
 */
export const MAX_POLLS_PER_RUN = 500;
const POLLED_WAITS = [
  ["promoteDeadlineSeconds", "promotePollSeconds"],
  ["verifyDeadlineSeconds", "verifyPollSeconds"],
] as const;

const timingsSchema = z
  .strictObject({
    drainCapSeconds: seconds(0, 86400).default(300),
    promoteDeadlineSeconds: seconds(10, 86400).default(3600),
    promotePollSeconds: seconds(1, 600).default(15),
    verifyDeadlineSeconds: seconds(1, 86400).default(600),
    verifyPollSeconds: seconds(1, 600).default(5),
    stabiliseSeconds: seconds(0, 86400).default(300),
    catchUpDeadlineSeconds: seconds(5, 3600).default(300),
  })
  .superRefine((t, ctx) => {
    for (const [deadline, poll] of POLLED_WAITS) {
      const polls = Math.ceil(t[deadline] / t[poll]);
      if (polls > MAX_POLLS_PER_RUN)
        ctx.addIssue({
          code: "custom",
          message:
            `${deadline} / ${poll} = ${t[deadline]} / ${t[poll]} allows ${polls} polls in one run; ` +
            `at most ${MAX_POLLS_PER_RUN} (each poll grows the orchestration's history): raise ${poll} or lower ${deadline}`,
        });
    }
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
  probe: probeSchema,
  ttl: z
    .strictObject({
      failoverSeconds: seconds(1, 3600).default(30),
      restoreSeconds: z.union([z.literal("original"), seconds(1, 2147483647)]).default("original"),
    })
    .default({ failoverSeconds: 30, restoreSeconds: "original" }),
  promoteOption: z.enum(["Planned", "Forced"]).default("Planned"),
  timings: timingsSchema.default({
    drainCapSeconds: 300,
    promoteDeadlineSeconds: 3600,
    promotePollSeconds: 15,
    verifyDeadlineSeconds: 600,
    verifyPollSeconds: 5,
    stabiliseSeconds: 300,
    catchUpDeadlineSeconds: 300,
  }),
  // The old primary's fence: read-only for new sessions (server parameter default_transaction_read_only),
  // its sessions ended. After a forced failover it is applied when the old primary comes back, for up to
  // watchHours; onReturn "stop" stops the returning server through ARM instead.
  fence: z
    .strictObject({
      watchHours: seconds(0, 168).default(24),
      onReturn: z.enum(["readOnly", "stop"]).default("readOnly"),
    })
    .default({ watchHours: 24, onReturn: "readOnly" }),
  // A forced failover does not promote past this much unreplayed WAL (last sample of the primary alive)
  // without acceptDataLoss: true in the request.
  rpo: z.strictObject({ maxLagBytes: z.number().int().min(0).default(1048576) }).default({ maxLagBytes: 1048576 }),
  // Who must say yes before the first change: never, forced failovers only, or always; with twoPerson the
  // approver must not be the requester. Unanswered after timeoutMinutes, the run aborts.
  approval: z
    .strictObject({
      mode: z.enum(["never", "forced", "always"]).default("forced"),
      twoPerson: z.boolean().default(true),
      timeoutMinutes: z.number().min(0.1).max(1440).default(60),
    })
    .default({ mode: "forced", twoPerson: true, timeoutMinutes: 60 }),
  // What an Azure Monitor alert on the pair's primary does: nothing, propose a forced failover (it waits for
  // approval), or run it (no approval; the RPO guard still applies). Either way the run first confirms
  // the primary is down: confirmTries looks at it over confirmSeconds.
  alerts: z
    .strictObject({
      policy: z.enum(["off", "propose", "auto"]).default("propose"),
      confirmTries: z.number().int().min(1).max(10).default(3),
      confirmSeconds: seconds(0, 600).default(30),
    })
    .default({ policy: "propose", confirmTries: 3, confirmSeconds: 30 }),
  // The proof needs this many answers in a row for the new target before it connects through the CNAME.
  verify: z.strictObject({ answers: z.number().int().min(1).max(10).default(3) }).default({ answers: 3 }),
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
export type ProbeConfig = z.output<typeof probeSchema>;

/** Parts of a Flexible Server ARM id (validated by the schema above). */
export function parseServerId(resourceId: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m = FLEX_ID.exec(resourceId);
  if (!m) throw new Error(`not a Flexible Server resource id: ${resourceId}`);
  const [, subscriptionId = "", resourceGroup = "", name = ""] = m;
  return { subscriptionId, resourceGroup, name };
}
