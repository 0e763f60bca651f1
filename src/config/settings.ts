// App settings → a validated, typed configuration. Every problem names the setting (and the JSON path
// inside it) and what is wrong; nothing is silently defaulted when a value is present but wrong.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors";
import { pairSchema, type PairConfig } from "./pair-schema";
import { azurePostgresRoots, caBundleProblem } from "../probe/ca-bundle";

export type CredentialKind = "managedIdentity" | "default" | "staticToken";

export interface AppConfig {
  pairs: PairConfig[];
  arm: { endpoint: string; caPem?: string };
  credential: { kind: CredentialKind; managedIdentityClientId?: string; staticToken?: string };
  /** DNS servers ("ip" or "ip:port") used to resolve the CNAME and server names; empty = the OS resolver. */
  dnsServers: string[];
  audit: { table: string; connectionString?: string; tableServiceUri?: string };
  /** Looks up a secret app setting (e.g. a probe password) by name at use time. */
  secret(name: string): string | undefined;
}

type Env = Record<string, string | undefined>;

const ENDPOINT = z.url({ protocol: /^https$/, error: "must be an https:// URL" });
const DNS_SERVER = /^(\d{1,3}(\.\d{1,3}){3})(:\d{1,5})?$/;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const { pairs, source } = loadPairs(env, problems);

  const endpoint = (env.PGFLEX_ARM_ENDPOINT ?? "https://management.azure.com").replace(/\/+$/, "");
  const ep = ENDPOINT.safeParse(endpoint);
  if (!ep.success) problems.push(`PGFLEX_ARM_ENDPOINT: "${endpoint}" ${ep.error.issues[0]?.message}`);
  let caPem: string | undefined;
  if (env.PGFLEX_ARM_CA_FILE) {
    caPem = readPem(env.PGFLEX_ARM_CA_FILE, "PGFLEX_ARM_CA_FILE", problems);
  }

  const kind = (env.PGFLEX_CREDENTIAL ?? "managedIdentity") as CredentialKind;
  if (!["managedIdentity", "default", "staticToken"].includes(kind)) {
    problems.push(`PGFLEX_CREDENTIAL: "${kind}" is not one of managedIdentity, default, staticToken`);
  }
  const staticToken = env.PGFLEX_STATIC_TOKEN;
  if (kind === "staticToken" && !staticToken)
    problems.push("PGFLEX_STATIC_TOKEN: required when PGFLEX_CREDENTIAL=staticToken");

  const dnsServers = (env.PGFLEX_DNS_SERVERS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of dnsServers) {
    if (!DNS_SERVER.test(s)) problems.push(`PGFLEX_DNS_SERVERS: "${s}" is not an IPv4 address with an optional :port`);
  }

  const table = env.PGFLEX_AUDIT_TABLE ?? "PgFlexFailoverAudit";
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(table))
    problems.push(`PGFLEX_AUDIT_TABLE: "${table}" must be 3-63 letters or digits, starting with a letter`);
  const connectionString = env.AzureWebJobsStorage || undefined;
  const tableServiceUri = env.AzureWebJobsStorage__tableServiceUri || undefined;
  if (!connectionString && !tableServiceUri) {
    problems.push(
      "AzureWebJobsStorage: required (a connection string, or AzureWebJobsStorage__tableServiceUri with a managed identity) for the audit journal",
    );
  }

  pairs.forEach((pair, i) => {
    if (pair.probe.auth === "password") {
      const name = pair.probe.passwordSetting;
      if (!name)
        problems.push(
          `PGFLEX_PAIRS: pair "${pair.name}": probe.passwordSetting is required when probe.auth is "password"`,
        );
      else if (!env[name])
        problems.push(`${name}: required by pair "${pair.name}" (probe.passwordSetting) but not set`);
    }
    const caFile = `${source}[${i}].probe.caFile`;
    if (pair.probe.caFile) readPem(pair.probe.caFile, caFile, problems);
    else defaultRootsProblem(caFile, problems);
  });
  if (problems.length) throw new ConfigError(problems);

  return {
    pairs,
    arm: { endpoint, caPem },
    credential: { kind, managedIdentityClientId: env.PGFLEX_MANAGED_IDENTITY_CLIENT_ID || undefined, staticToken },
    dnsServers,
    audit: { table, connectionString, tableServiceUri },
    secret: (name) => env[name],
  };
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
  return { pairs, source };
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
