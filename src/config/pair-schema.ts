// The shape of one database pair in PGFLEX_PAIRS, with defaults that are safe for production. Every field
// says what it is (.describe()): `npm run docs:settings` renders the README's reference from this file.
import { z } from "zod";
import { DNS_LABEL, PAIR_NAME, PAIR_NAME_RULE, parseServerId } from "../domain/names";
import { serverSchema, type ServerConfig } from "../domain/server-config";
import { pairRuleIssues } from "./pair-rules";

// Re-exported: callers that read the configuration find the names where they find the schema.
export { PAIR_NAME, PAIR_NAME_RULE, parseServerId, serverSchema, type ServerConfig };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZONE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

const probeFields = {
  database: z.string().min(1).default("postgres").describe("database the probe connects to"),
  user: z
    .string()
    .min(1)
    .describe(
      "the probe's login on both servers: with `entra`, the managed identity's role (`pgaadauth_create_principal`), " +
        "member of `pg_signal_backend` so the fence can end sessions",
    ),
  caFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      "PEM file of the CAs trusted for `verify-ca`/`verify-full`; unset: the Azure PostgreSQL roots from Node's store " +
        "(DigiCert Global Root G2 and CA, Microsoft RSA and ECC Root Certificate Authority 2017)",
    ),
  port: z.number().int().min(1).max(65535).default(5432).describe("PostgreSQL port of both servers"),
  connectTimeoutSeconds: seconds(1, 120).default(10).describe("how long one connection attempt may take"),
};
const AUTH = "how the probe logs in: `entra` (the managed identity's token) or `password`";

// How the probe logs in: its Entra token (the managed identity), or a password held in another app setting.
// A union, so a password probe always has its setting and an Entra probe never carries an unused one.
const probeSchema = z.discriminatedUnion(
  "auth",
  [
    z.strictObject(
      { ...probeFields, auth: z.literal("entra").default("entra").describe(AUTH) },
      {
        error: (iss) =>
          iss.code === "unrecognized_keys" && iss.keys.includes("passwordSetting")
            ? 'passwordSetting is used only with auth "password" (auth is "entra", the default)'
            : undefined,
      },
    ),
    z.strictObject({
      ...probeFields,
      auth: z.literal("password").describe(AUTH),
      passwordSetting: z
        .string({ error: 'is required when auth is "password": the name of the app setting holding the password' })
        .regex(SETTING_NAME, "must be the name of an app setting")
        .describe("the app setting holding the probe's password (make it a Key Vault reference)"),
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
  ["reprotectDeadlineSeconds", "reprotectPollSeconds"],
] as const;

const timingsSchema = z
  .strictObject({
    drainCapSeconds: seconds(0, 86400)
      .default(300)
      .describe("planned: wait at most this long for the old TTL to expire before the fence"),
    promoteDeadlineSeconds: seconds(10, 86400)
      .default(3600)
      .describe(
        "how long the promoted server may take to become writable (then: may still complete); Azure's promote " +
          "takes about 2 min (1–3 min, `npm run drill -- --profile azure`), so the default leaves a wide margin",
      ),
    promotePollSeconds: seconds(1, 600)
      .default(15)
      .describe("each writable check watches the server this long, several times a second; at most 500 per deadline"),
    verifyDeadlineSeconds: seconds(1, 86400)
      .default(600)
      .describe("how long DNS may take to answer the new target before the proof gives up"),
    verifyPollSeconds: seconds(1, 600).default(5).describe("seconds between DNS checks; at most 500 per deadline"),
    stabiliseSeconds: seconds(0, 86400).default(300).describe("wait after the proof before the TTL is restored"),
    catchUpDeadlineSeconds: seconds(5, 3600)
      .default(300)
      .describe(
        "planned: how long the replica may take to replay up to the fenced primary's WAL position; counted from " +
          "the fence's end, so Azure's 20–40 s server parameter change (the fence) is not part of it",
      ),
    reprotectDeadlineSeconds: seconds(60, 172800)
      .default(14400)
      .describe(
        "re-protection: how long ARM may take to create the new replica and the replica to start streaming " +
          "(Azure takes from minutes to hours, with the data's size); also bounds retiring the old server",
      ),
    reprotectPollSeconds: seconds(1, 3600)
      .default(60)
      .describe("re-protection: seconds between checks of the new replica"),
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

export const pairSchema = z
  .strictObject({
    name: z
      .string()
      .regex(PAIR_NAME, `must be ${PAIR_NAME_RULE}`)
      .describe("what requests name; instance ids are `failover-<name>-<runId>`"),
    dns: z.strictObject({
      subscriptionId: z
        .string()
        .regex(UUID, "must be a subscription UUID")
        .describe("subscription of the private zone"),
      resourceGroup: z.string().min(1).max(90).describe("resource group of the private zone"),
      zone: z
        .string()
        .regex(ZONE, "must be a DNS zone name such as privatelink.postgres.database.azure.com")
        .describe("the private DNS zone holding the CNAME and both A records"),
      cname: z
        .string()
        .regex(DNS_LABEL, "must be the relative name of the CNAME record (one DNS label)")
        .describe("relative name of the CNAME applications connect to; its target says which server is primary"),
    }),
    servers: z
      .tuple([serverSchema, serverSchema])
      .describe("the two servers, in any order: the primary and its replica in the other region"),
    probe: probeSchema,
    ttl: z
      .strictObject({
        failoverSeconds: seconds(1, 3600)
          .default(30)
          .describe("the CNAME's TTL during a failover (lowered first, so resolvers follow the repoint quickly)"),
        restoreSeconds: z
          .union([z.literal("original"), seconds(1, 2147483647)])
          .default("original")
          .describe("the TTL set after the stabilisation wait: the one found in preflight, or this many seconds"),
      })
      .default({ failoverSeconds: 30, restoreSeconds: "original" }),
    promoteOption: z
      .enum(["Planned", "Forced"])
      .default("Planned")
      .describe(
        "a request's option when it names none: `Planned` loses nothing, `Forced` does not wait for the primary",
      ),
    timings: timingsSchema.default({
      drainCapSeconds: 300,
      promoteDeadlineSeconds: 3600,
      promotePollSeconds: 15,
      verifyDeadlineSeconds: 600,
      verifyPollSeconds: 5,
      stabiliseSeconds: 300,
      catchUpDeadlineSeconds: 300,
      reprotectDeadlineSeconds: 14400,
      reprotectPollSeconds: 60,
    }),
    fence: z
      .strictObject({
        watchHours: seconds(0, 168)
          .default(24)
          .describe("forced, old primary away: how long the fence watch waits for it to return (0: not watched)"),
        onReturn: z
          .enum(["readOnly", "stop"])
          .default("readOnly")
          .describe("a returning old primary is made read-only (sessions ended), or stopped through ARM"),
      })
      .default({ watchHours: 24, onReturn: "readOnly" }),
    rpo: z
      .strictObject({
        maxLagBytes: z
          .number()
          .int()
          .min(0)
          .default(1048576)
          .describe("forced: above this much unreplayed WAL (or when it is unknown) only with `acceptDataLoss: true`"),
      })
      .default({ maxLagBytes: 1048576 }),
    approval: z
      .strictObject({
        mode: z
          .enum(["never", "forced", "always"])
          .default("forced")
          .describe("which requests wait for a `Failover.Approve` holder before the first change"),
        twoPerson: z.boolean().default(true).describe("the approver must not be the requester"),
        timeoutMinutes: z
          .number()
          .min(0.1)
          .max(1440)
          .default(60)
          .describe("unanswered for this long, the run aborts with nothing changed"),
      })
      .default({ mode: "forced", twoPerson: true, timeoutMinutes: 60 }),
    alerts: z
      .strictObject({
        policy: z
          .enum(["off", "propose", "auto"])
          .default("propose")
          .describe(
            "a Fired alert on the primary: acknowledged only, a forced failover waiting for approval, or one without",
          ),
        confirmTries: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(3)
          .describe("looks at the primary (ARM and its own name) before calling it down; one answer: false alarm"),
        confirmSeconds: seconds(0, 600).default(30).describe("the window those looks are spread over"),
        maxAgeMinutes: z
          .number()
          .int()
          .min(1)
          .max(1440)
          .default(60)
          .describe("a Fired alert whose `firedDateTime` is older than this is acknowledged and ignored (200)"),
        maxRunsPerHour: z
          .number()
          .int()
          .min(1)
          .max(60)
          .default(3)
          .describe("at most this many runs started by alerts per pair in any hour; more are acknowledged (200)"),
      })
      .default({ policy: "propose", confirmTries: 3, confirmSeconds: 30, maxAgeMinutes: 60, maxRunsPerHour: 3 }),
    verify: z
      .strictObject({
        answers: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(3)
          .describe("DNS answers in a row for the new target before the proof connects through the CNAME"),
      })
      .default({ answers: 3 }),
    retry: z
      .strictObject({
        firstIntervalSeconds: seconds(1, 3600).default(5).describe("transient errors: the first retry's delay"),
        maxAttempts: z.number().int().min(1).max(20).default(5).describe("attempts per step, the first included"),
        backoffCoefficient: z.number().min(1).max(10).default(2).describe("each delay is the previous one times this"),
        maxIntervalSeconds: seconds(1, 3600).default(60).describe("the longest delay between attempts"),
      })
      .default({ firstIntervalSeconds: 5, maxAttempts: 5, backoffCoefficient: 2, maxIntervalSeconds: 60 }),
  })
  // Combinations that can only end badly (pair-rules.ts), once every field is valid on its own.
  .superRefine((pair, ctx) => {
    for (const issue of pairRuleIssues(pair)) ctx.addIssue({ code: "custom", ...issue });
  });

export type PairConfig = z.output<typeof pairSchema>;
/** The parts of a pair's configuration a run copies into its input (a replay never sees a changed setting). */
export type RunPolicy = Pick<
  PairConfig,
  "ttl" | "timings" | "retry" | "fence" | "rpo" | "verify" | "approval" | "alerts"
>;

export function runPolicy(pair: PairConfig): RunPolicy {
  const { ttl, timings, retry, fence, rpo, verify, approval, alerts } = pair;
  return { ttl, timings, retry, fence, rpo, verify, approval, alerts };
}
/** How a step retries a transient error: the pair's `retry` block, the base every step's policy starts from. */
export type RetryPolicy = PairConfig["retry"];
export type ProbeConfig = z.output<typeof probeSchema>;

/** Parts of a Flexible Server ARM id (validated by the schema above). */
