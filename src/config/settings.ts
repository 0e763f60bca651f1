// App settings → a validated, typed configuration. Every problem names the setting (and the JSON path
// inside it) and what is wrong; nothing is silently defaulted when a value is present but wrong.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { azurePostgresRoots, caBundleProblem } from "../probe/ca-bundle";
import { ConfigError } from "./errors";
import { pairSchema, type PairConfig } from "./pair-schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clientId = z.string().regex(UUID, "must be the client id (a UUID) of a user-assigned managed identity");

/** Which token credential the app uses; each kind carries exactly what it needs. */
export const credentialSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("managedIdentity"), clientId: clientId.optional() }),
    z.object({ kind: z.literal("default"), clientId: clientId.optional() }),
    z.object({
      kind: z.literal("staticToken"),
      token: z.string({ error: "required when PGFLEX_CREDENTIAL=staticToken" }).min(1),
    }),
  ],
  {
    error: (iss) =>
      iss.code === "invalid_union"
        ? `"${String((iss.input as { kind?: unknown })?.kind)}" is not one of managedIdentity, default, staticToken`
        : undefined,
  },
);
const CREDENTIAL_SETTINGS = {
  kind: "PGFLEX_CREDENTIAL",
  clientId: "PGFLEX_MANAGED_IDENTITY_CLIENT_ID",
  token: "PGFLEX_STATIC_TOKEN",
};

const tableName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, {
  error: (iss) => `"${String(iss.input)}" must be 3-63 letters or digits, starting with a letter`,
});

/**
 * Where the audit journal and the pairs' state (leases) live: a connection string, or a table endpoint
 * reached with the app's identity.
 */
export const auditStorageSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("connectionString"),
    table: tableName,
    stateTable: tableName,
    connectionString: z.string().min(1),
  }),
  z.object({
    kind: z.literal("tableServiceUri"),
    table: tableName,
    stateTable: tableName,
    tableServiceUri: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
  }),
]);
const AUDIT_SETTINGS = {
  table: "PGFLEX_AUDIT_TABLE",
  stateTable: "PGFLEX_STATE_TABLE",
  connectionString: "AzureWebJobsStorage",
  tableServiceUri: "AzureWebJobsStorage__tableServiceUri",
};

export type CredentialConfig = z.output<typeof credentialSchema>;
export type CredentialKind = CredentialConfig["kind"];
export type AuditStorageConfig = z.output<typeof auditStorageSchema>;

/** Who may call: the Entra tenant and app registration whose tokens the app validates itself. */
export interface EntraAuthConfig {
  tenantId: string;
  /** The app registration's client id: always an accepted audience, and the only one for ID tokens. */
  clientId: string;
  /** Accepted access-token audiences (the client id first). */
  audiences: string[];
  /** Origin of the Entra authority, no trailing slash (https://login.microsoftonline.com). */
  authority: string;
  /** Extra CA (PEM) trusted for the authority (the lab's issuer), besides Node's roots. */
  caPem?: string;
}

export interface CallerAuthConfig {
  /** WEBSITE_AUTH_ENABLED: App Service Authentication runs in front, so its token-store headers are read too. */
  easyAuth: boolean;
  /** Undefined when PGFLEX_AUTH_* are not set: then no caller can be verified (every call but alerts is 401). */
  entra?: EntraAuthConfig;
}

export interface AppConfig {
  pairs: PairConfig[];
  arm: { endpoint: string; caPem?: string };
  credential: CredentialConfig;
  /** DNS servers ("ip" or "ip:port") used to resolve the CNAME and server names; empty = the OS resolver. */
  dnsServers: string[];
  audit: AuditStorageConfig;
  auth: CallerAuthConfig;
  /**
   * PGFLEX_PAIRS_VIEW_SECONDS: how long GET /api/pairs serves a pair's view before reading it again (role
   * assignments: twice that), so readers cannot spend the app's ARM read budget. Lower values show changes
   * sooner and cost more reads.
   */
  views: { pairsViewMs: number; permissionsMs: number };
  /** Looks up a secret app setting (e.g. a probe password) by name at use time. */
  secret(name: string): string | undefined;
}

type Env = Record<string, string | undefined>;

const ENDPOINT = z.url({ protocol: /^https$/, error: "must be an https:// URL" });
const DNS_SERVER = /^(\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$/;

/** Default, bounds and parse of PGFLEX_PAIRS_VIEW_SECONDS (decimal seconds). */
export const PAIRS_VIEW_SECONDS = { default: 5, min: 0.1, max: 300 };

function loadViews(text: string | undefined, problems: string[]): AppConfig["views"] {
  const { min, max } = PAIRS_VIEW_SECONDS;
  const seconds = text === undefined ? PAIRS_VIEW_SECONDS.default : Number(text.trim());
  if (!Number.isFinite(seconds) || seconds < min || seconds > max) {
    problems.push(`PGFLEX_PAIRS_VIEW_SECONDS: "${text}" is not a number of seconds from ${min} to ${max}`);
    return loadViews(undefined, []);
  }
  return { pairsViewMs: seconds * 1000, permissionsMs: seconds * 2000 };
}

/** Azure Resource Manager in the public, US Government and China clouds. */
export const AZURE_ARM_HOSTS = ["management.azure.com", "management.usgovcloudapi.net", "management.chinacloudapi.cn"];

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const setting = (name: string) => env[name] || undefined; // an empty app setting is an absent one
  const { pairs, source } = loadPairs(env, problems);

  const endpoint = (setting("PGFLEX_ARM_ENDPOINT") ?? "https://management.azure.com").replace(/\/+$/, "");
  const ep = ENDPOINT.safeParse(endpoint);
  if (!ep.success) problems.push(`PGFLEX_ARM_ENDPOINT: "${endpoint}" ${ep.error.issues[0]?.message}`);
  const armCaFile = setting("PGFLEX_ARM_CA_FILE");
  const caPem = armCaFile ? readPem(armCaFile, "PGFLEX_ARM_CA_FILE", problems) : undefined;

  const credential = parseSettings(
    credentialSchema,
    {
      kind: setting("PGFLEX_CREDENTIAL") ?? "managedIdentity",
      clientId: setting("PGFLEX_MANAGED_IDENTITY_CLIENT_ID"),
      token: setting("PGFLEX_STATIC_TOKEN"),
    },
    CREDENTIAL_SETTINGS,
    problems,
  );
  if (credential?.kind === "staticToken" && ep.success && isAzureArm(endpoint)) {
    problems.push(
      `PGFLEX_CREDENTIAL: staticToken is for the local lab and is refused with PGFLEX_ARM_ENDPOINT=${endpoint} ` +
        "(Azure Resource Manager): a pasted token expires within hours, possibly mid-failover; use managedIdentity",
    );
  }

  const dnsServers = (env.PGFLEX_DNS_SERVERS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of dnsServers) {
    if (!DNS_SERVER.test(s)) problems.push(`PGFLEX_DNS_SERVERS: "${s}" is not an IPv4 address with an optional :port`);
  }

  const views = loadViews(setting("PGFLEX_PAIRS_VIEW_SECONDS"), problems);
  const audit = loadAuditStorage(setting, problems);
  const auth: CallerAuthConfig = {
    easyAuth: (setting("WEBSITE_AUTH_ENABLED") ?? "").toLowerCase() === "true",
    entra: loadEntraAuth(setting, problems),
  };

  pairs.forEach((pair, i) => {
    if (pair.probe.auth === "password" && !setting(pair.probe.passwordSetting))
      problems.push(
        `${pair.probe.passwordSetting}: required by pair "${pair.name}" (probe.passwordSetting) but not set`,
      );
    const caFile = `${source}[${i}].probe.caFile`;
    if (pair.probe.caFile) readPem(pair.probe.caFile, caFile, problems);
    else defaultRootsProblem(caFile, problems);
  });
  if (problems.length || !credential || !audit) throw new ConfigError(problems);

  return {
    pairs,
    arm: { endpoint, caPem },
    credential,
    dnsServers,
    audit,
    auth,
    views,
    secret: (name) => env[name],
  };
}

const AUTH_SETTINGS = [
  "PGFLEX_AUTH_TENANT_ID",
  "PGFLEX_AUTH_CLIENT_ID",
  "PGFLEX_AUTH_AUDIENCE",
  "PGFLEX_AUTH_AUTHORITY",
  "PGFLEX_AUTH_CA_FILE",
] as const;
export const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";

/** The tenant and app registration callers' tokens must come from; undefined when none of the settings is set. */
function loadEntraAuth(setting: (name: string) => string | undefined, problems: string[]): EntraAuthConfig | undefined {
  const v = Object.fromEntries(AUTH_SETTINGS.map((n) => [n, setting(n)])) as Record<
    (typeof AUTH_SETTINGS)[number],
    string | undefined
  >;
  if (AUTH_SETTINGS.every((n) => v[n] === undefined)) return undefined;
  const before = problems.length;
  const tenantId = v.PGFLEX_AUTH_TENANT_ID;
  const clientId = v.PGFLEX_AUTH_CLIENT_ID;
  if (tenantId === undefined) problems.push("PGFLEX_AUTH_TENANT_ID: required with the other PGFLEX_AUTH_* settings");
  else if (!UUID.test(tenantId))
    problems.push(`PGFLEX_AUTH_TENANT_ID: "${tenantId}" must be the Entra tenant id (a UUID), the tokens' tid`);
  if (clientId === undefined) problems.push("PGFLEX_AUTH_CLIENT_ID: required with the other PGFLEX_AUTH_* settings");
  else if (!UUID.test(clientId))
    problems.push(`PGFLEX_AUTH_CLIENT_ID: "${clientId}" must be the app registration's client id (a UUID)`);

  const extra = (v.PGFLEX_AUTH_AUDIENCE ?? (clientId ? `api://${clientId}` : ""))
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of extra)
    if (!UUID.test(a) && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(a))
      problems.push(
        `PGFLEX_AUTH_AUDIENCE: "${a}" is neither a client id (UUID) nor an App ID URI (api://…, https://…)`,
      );

  const authority = (v.PGFLEX_AUTH_AUTHORITY ?? DEFAULT_AUTHORITY).replace(/\/+$/, "");
  const parsed = URL.canParse(authority) ? new URL(authority) : undefined;
  if (!parsed || parsed.protocol !== "https:")
    problems.push(`PGFLEX_AUTH_AUTHORITY: "${authority}" must be an https:// URL (keys are fetched over TLS only)`);
  else if (parsed.origin !== authority)
    problems.push(
      `PGFLEX_AUTH_AUTHORITY: "${authority}" must be the authority's origin only, like ${DEFAULT_AUTHORITY} ` +
        "(the tenant and /v2.0 are added from PGFLEX_AUTH_TENANT_ID)",
    );
  const caFile = v.PGFLEX_AUTH_CA_FILE;
  const caPem = caFile ? readPem(caFile, "PGFLEX_AUTH_CA_FILE", problems) : undefined;
  if (problems.length > before || !tenantId || !clientId) return undefined;
  return { tenantId, clientId, audiences: [...new Set([clientId, ...extra])], authority, caPem };
}

function loadAuditStorage(setting: (name: string) => string | undefined, problems: string[]) {
  const connectionString = setting("AzureWebJobsStorage");
  const tableServiceUri = setting("AzureWebJobsStorage__tableServiceUri");
  const table = setting("PGFLEX_AUDIT_TABLE") ?? "PgFlexFailoverAudit";
  const stateTable = setting("PGFLEX_STATE_TABLE") ?? "PgFlexFailoverState";
  if (!connectionString && !tableServiceUri) {
    problems.push(
      "AzureWebJobsStorage: required (a connection string, or AzureWebJobsStorage__tableServiceUri with a managed identity) for the audit journal",
    );
    return undefined;
  }
  // The connection string wins when both are set, as it does for the Functions host itself.
  const input = connectionString
    ? { kind: "connectionString", table, stateTable, connectionString }
    : { kind: "tableServiceUri", table, stateTable, tableServiceUri };
  return parseSettings(auditStorageSchema, input, AUDIT_SETTINGS, problems);
}

/** Parses settings gathered into an object; each problem is reported under the app setting it came from. */
function parseSettings<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  settingOf: Record<string, string>,
  problems: string[],
): z.output<S> | undefined {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const key = String(issue.path[0] ?? "");
    problems.push(`${settingOf[key] ?? key}: ${issue.message}`);
  }
  return undefined;
}

function isAzureArm(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.toLowerCase().replace(/\.$/, "");
  return AZURE_ARM_HOSTS.includes(host);
}

function loadPairs(env: Env, problems: string[]): { pairs: PairConfig[]; source: string } {
  let source = "PGFLEX_PAIRS";
  let text = env.PGFLEX_PAIRS;
  if (!text && env.PGFLEX_PAIRS_FILE) {
    source = "PGFLEX_PAIRS_FILE";
    try {
      text = readFileSync(env.PGFLEX_PAIRS_FILE, "utf8");
    } catch (e) {
      problems.push(`PGFLEX_PAIRS_FILE: cannot read "${env.PGFLEX_PAIRS_FILE}": ${(e as Error).message}`);
      return { pairs: [], source };
    }
  }
  if (!text) {
    problems.push("PGFLEX_PAIRS: required (a JSON array of pairs), or PGFLEX_PAIRS_FILE pointing at such a file");
    return { pairs: [], source };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    problems.push(`${source}: not valid JSON: ${(e as Error).message}`);
    return { pairs: [], source };
  }
  const parsed = z.array(pairSchema).min(1, "must list at least one pair").safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${source}${formatPath(issue.path)}: ${issue.message}`);
    return { pairs: [], source };
  }
  const pairs = parsed.data;
  const seen = new Set<string>();
  pairs.forEach((p, i) => {
    if (seen.has(p.name)) problems.push(`${source}[${i}].name: "${p.name}" is used by more than one pair`);
    seen.add(p.name);
    const [a, b] = p.servers;
    if (a.resourceId.toLowerCase() === b.resourceId.toLowerCase())
      problems.push(`${source}[${i}].servers: both entries name the same server`);
    if (a.aRecord.toLowerCase() === b.aRecord.toLowerCase())
      problems.push(`${source}[${i}].servers: both servers use the same aRecord`);
    if (
      p.dns.cname.toLowerCase() === a.aRecord.toLowerCase() ||
      p.dns.cname.toLowerCase() === b.aRecord.toLowerCase()
    ) {
      problems.push(`${source}[${i}].dns.cname: "${p.dns.cname}" is also a server's aRecord`);
    }
  });
  problems.push(...sharedAcrossPairs(pairs, source));
  return { pairs, source };
}

/**
 * Two pairs that share a CNAME would repoint the same record in opposite directions, and two pairs that share
 * a server would each promote it: one failover could undo or break the other, so both are refused.
 */
function sharedAcrossPairs(pairs: PairConfig[], source: string): string[] {
  const problems: string[] = [];
  const cnames = new Map<string, string>();
  const servers = new Map<string, { pair: number; name: string; path: string }>();
  pairs.forEach((p, i) => {
    const fqdn = `${p.dns.cname}.${p.dns.zone}`.toLowerCase();
    const other = cnames.get(fqdn);
    if (other) problems.push(`${source}[${i}].dns: the CNAME ${fqdn} is also ${other}'s; each pair needs its own`);
    else cnames.set(fqdn, `pair "${p.name}" (${source}[${i}].dns)`);
    p.servers.forEach((s, k) => {
      const id = s.resourceId.toLowerCase();
      const path = `${source}[${i}].servers[${k}].resourceId`;
      const first = servers.get(id);
      if (!first) servers.set(id, { pair: i, name: p.name, path });
      else if (first.pair !== i)
        // within one pair this is reported as "both entries name the same server"
        problems.push(
          `${path}: this server is also in pair "${first.name}" (${first.path}); a server belongs to one pair`,
        );
    });
  });
  return problems;
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function readPem(file: string, what: string, problems: string[]): string | undefined {
  try {
    const pem = readFileSync(file, "utf8");
    const problem = caBundleProblem(pem);
    if (problem) {
      problems.push(`${what}: "${file}" ${problem}`);
      return undefined;
    }
    return pem;
  } catch (e) {
    problems.push(`${what}: cannot read "${file}": ${(e as Error).message}`);
    return undefined;
  }
}

/** Without probe.caFile the probe trusts the Azure PostgreSQL roots from Node's store: check they are there now. */
function defaultRootsProblem(what: string, problems: string[]): void {
  try {
    azurePostgresRoots();
  } catch (e) {
    problems.push(`${what}: not set, and ${(e as Error).message}`);
  }
}
