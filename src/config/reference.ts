// The words of the README's configuration reference that are not in the pair schema: the app settings, what
// start-up refuses, and a minimal pair. `npm run docs:settings` renders them with the schema's field table;
// test/unit/settings-docs.test.ts fails when the README, this file, the schema or the code drift apart.
import { ARM_CALL_ALLOWANCE_SECONDS, HOST_FUNCTION_TIMEOUT_SECONDS } from "./host-limits";
import { MAX_POLLS_PER_RUN } from "./pair-schema";

export interface AppSettingDoc {
  name: string;
  meaning: string;
  default: string;
}

/** Every app setting the app reads, in the order the reference lists them. */
export const APP_SETTINGS: readonly AppSettingDoc[] = [
  {
    name: "PGFLEX_PAIRS",
    meaning: "JSON array of pairs (fields below)",
    default: "required (or `PGFLEX_PAIRS_FILE`)",
  },
  { name: "PGFLEX_PAIRS_FILE", meaning: "path of a JSON file holding the same array", default: "–" },
  {
    name: "AzureWebJobsStorage",
    meaning: "storage connection string: the task hub, the audit and the state tables",
    default: "required, or `AzureWebJobsStorage__tableServiceUri`",
  },
  {
    name: "AzureWebJobsStorage__tableServiceUri",
    meaning:
      "identity-based storage: the table endpoint the app reaches with its managed identity (the Functions host " +
      "itself needs `AzureWebJobsStorage__accountName`, `__credential`, `__clientId`); the connection string wins",
    default: "–",
  },
  { name: "PGFLEX_AUDIT_TABLE", meaning: "audit table name", default: "`PgFlexFailoverAudit`" },
  {
    name: "PGFLEX_STATE_TABLE",
    meaning: "table for each pair's lease, lag samples and owed fence",
    default: "`PgFlexFailoverState`",
  },
  {
    name: "PGFLEX_CREDENTIAL",
    meaning: "`managedIdentity`, `default` (DefaultAzureCredential), or `staticToken` (lab only)",
    default: "`managedIdentity`",
  },
  {
    name: "PGFLEX_MANAGED_IDENTITY_CLIENT_ID",
    meaning: "client id (a UUID) of a user-assigned identity",
    default: "system-assigned",
  },
  {
    name: "PGFLEX_STATIC_TOKEN",
    meaning: "the bearer token for `staticToken` (refused with Azure's ARM endpoints)",
    default: "–",
  },
  { name: "PGFLEX_ARM_ENDPOINT", meaning: "ARM endpoint (https only)", default: "`https://management.azure.com`" },
  {
    name: "PGFLEX_ARM_CA_FILE",
    meaning: "extra CA (PEM) trusted for the ARM endpoint (the lab's emulator)",
    default: "Node's roots",
  },
  {
    name: "PGFLEX_DNS_SERVERS",
    meaning: "DNS servers (`ip[:port]`, comma-separated) used to resolve the CNAME and server names",
    default: "the OS resolver (in a VNet: Azure DNS)",
  },
  {
    name: "PGFLEX_PAIRS_VIEW_SECONDS",
    meaning:
      "how long `GET /api/pairs` serves a pair's view before reading it again (role assignments: twice that), " +
      "0.1 to 300: readers cannot spend the app's ARM read budget",
    default: "`5`",
  },
  {
    name: "PGFLEX_AUTH_TENANT_ID",
    meaning:
      "Entra tenant id (a UUID) whose tokens the app accepts: it validates every caller's token itself (issuer, " +
      "`tid`, signature by the tenant's keys, audience, lifetime); unset with the other `PGFLEX_AUTH_*`, no caller " +
      "can be verified and every call but `POST /api/alerts` is 401",
    default: "required for callers",
  },
  {
    name: "PGFLEX_AUTH_CLIENT_ID",
    meaning:
      "client id (a UUID) of the app registration callers get tokens for: always an accepted audience, and the " +
      "only one for ID tokens (browser sessions)",
    default: "required for callers",
  },
  {
    name: "PGFLEX_AUTH_AUDIENCE",
    meaning: "further accepted access-token audiences, comma-separated (App ID URIs or client ids)",
    default: "`api://<client id>`",
  },
  {
    name: "PGFLEX_AUTH_AUTHORITY",
    meaning:
      "Entra authority's origin (https only), where the tenant's OpenID metadata and keys are fetched " +
      "(`login.microsoftonline.us`, `login.chinacloudapi.cn` in other clouds; the lab's issuer locally)",
    default: "`https://login.microsoftonline.com`",
  },
  {
    name: "PGFLEX_AUTH_CA_FILE",
    meaning: "extra CA (PEM) trusted for the authority (the lab's issuer)",
    default: "Node's roots",
  },
  {
    name: "WEBSITE_AUTH_ENABLED",
    meaning:
      "set by App Service when Authentication (Easy Auth) is on: then a browser session's token-store headers " +
      "(`X-MS-TOKEN-AAD-ID-TOKEN`, `-ACCESS-TOKEN`) are read too, and validated like a bearer token; " +
      "`X-MS-CLIENT-PRINCIPAL` is never trusted",
    default: "set by the platform",
  },
];

/** The setting a pair's `probe.passwordSetting` names: a row of its own, since its name is the pair's choice. */
export const PROBE_PASSWORD_ROW: AppSettingDoc = {
  name: "*(probe password settings)*",
  meaning: "the setting named by a pair's `probe.passwordSetting` (use a Key Vault reference)",
  default: "–",
};

/** What start-up refuses besides a wrong or unknown field: each item says why it can only end badly. */
export const REFUSALS: readonly string[] = [
  "two pairs with the same `name`; within a pair, both `servers` naming the same server, both using the same " +
    "`aRecord`, or `dns.cname` equal to an `aRecord`;",
  "two pairs with the same CNAME (same `dns.zone` and `dns.cname`, case-insensitive), or one server " +
    "(`resourceId`) in two pairs — one failover would undo or break the other;",
  "`PGFLEX_CREDENTIAL=staticToken` with Azure's ARM endpoint (`management.azure.com`, " +
    "`management.usgovcloudapi.net`, `management.chinacloudapi.cn`, including the default endpoint): a static " +
    "token is for the lab, and a pasted one expires within hours, possibly mid-failover;",
  `a pair whose polled waits allow more than **${MAX_POLLS_PER_RUN} polls in one run**: ` +
    "`promoteDeadlineSeconds / promotePollSeconds` and `verifyDeadlineSeconds / verifyPollSeconds` must each be " +
    `at most ${MAX_POLLS_PER_RUN} (every poll grows the orchestration's history, which is replayed at each step);`,
  "a pair whose longest activity could outlast host.json's `functionTimeout` " +
    `(${HOST_FUNCTION_TIMEOUT_SECONDS} s; the host would cut it off and retry it, over and over): one writable ` +
    `check, \`promotePollSeconds + probe.connectTimeoutSeconds + ${ARM_CALL_ALLOWANCE_SECONDS}\` (an allowance ` +
    "for an ARM read), and — unless `alerts.policy` is `off` — confirming an alert, " +
    `\`confirmSeconds + confirmTries × (probe.connectTimeoutSeconds + ${ARM_CALL_ALLOWANCE_SECONDS})\`;`,
  '`alerts.policy: "auto"` with `approval.mode: "always"`: an automatic failover has no one to approve it, ' +
    '"always" promises that none runs without approval (with `"forced"`, the default, alert runs under ' +
    '`"auto"` are the documented exception);',
  '`alerts.policy: "auto"` with `confirmTries: 1` or `confirmSeconds: 0`: a forced failover that starts without ' +
    "a person must see the primary down more than once, over some time, not on one failed connection;",
  "`PGFLEX_AUTH_*` set without both `PGFLEX_AUTH_TENANT_ID` and `PGFLEX_AUTH_CLIENT_ID` (UUIDs), an audience " +
    "that is neither a UUID nor a URI, or a `PGFLEX_AUTH_AUTHORITY` that is not an https origin;",
  "a `probe.passwordSetting` that is not set; a `probe.caFile`, `PGFLEX_ARM_CA_FILE` or `PGFLEX_AUTH_CA_FILE` that holds no " +
    "certificate, or only expired ones; and, for a pair without `probe.caFile`, a Node root store that lacks " +
    "any of the four Azure PostgreSQL roots.",
];

/** A pair with only the fields that have no default (rendered in the README; the unit test parses it). */
export const EXAMPLE_PAIR = {
  name: "prod",
  dns: {
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    resourceGroup: "rg-dns",
    zone: "privatelink.postgres.database.azure.com",
    cname: "prod",
  },
  servers: [
    {
      resourceId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-db/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-prod-aue",
      aRecord: "a1b2c3d4e5f6",
    },
    {
      resourceId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-db/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-prod-ause",
      aRecord: "0f1e2d3c4b5a",
    },
  ],
  probe: { user: "pgflex-failover-identity" },
};
