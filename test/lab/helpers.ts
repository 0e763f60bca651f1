// Shared test helpers: real SDK clients pointed at the lab, name resolution through the lab DNS, pid checks.
import fs from "node:fs";
import net from "node:net";
import { Resolver } from "node:dns/promises";
import pg from "pg";
import type { TokenCredential } from "@azure/core-auth";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import type { Lab } from "../../local/lab";
import { running } from "../../local/lab/process-state";

export const credentialFor = (lab: Lab): TokenCredential => ({
  getToken: async () => ({ token: lab.info.arm.token, expiresOnTimestamp: Date.now() + 3600e3 }),
});

/** Real SDK clients, TLS verified against the lab CA, no retries (faults must surface). */
export function clients(lab: Lab, opts: { maxRetries?: number } = {}) {
  const common = {
    endpoint: lab.info.arm.endpoint,
    tlsOptions: { ca: lab.info.caPem },
    retryOptions: { maxRetries: opts.maxRetries ?? 0 },
  };
  return {
    dns: new PrivateDnsManagementClient(credentialFor(lab), lab.info.subscriptionId, common),
    pg: new PostgreSQLManagementFlexibleServerClient(credentialFor(lab), lab.info.subscriptionId, common),
  };
}

export function labResolver(lab: Lab): Resolver {
  const r = new Resolver({ timeout: 1000, tries: 2 });
  r.setServers([`${lab.info.dns.host}:${lab.info.dns.port}`]);
  return r;
}

/** pg has no lookup option: a stream factory whose socket resolves host names through the lab DNS. */
export function streamVia(resolver: Resolver): () => net.Socket {
  const lookup: net.LookupFunction = (hostname, options, cb) => {
    resolver.resolve4(hostname).then(
      ([first, ...rest]) => {
        if (first === undefined)
          return cb(Object.assign(new Error(`no A record for ${hostname}`), { code: "ENOTFOUND" }), "", 4);
        if (!options.all) return cb(null, first, 4);
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(
          null,
          [first, ...rest].map((address) => ({ address, family: 4 })),
        );
      },
      (e: NodeJS.ErrnoException) => cb(e, "", 4),
    );
  };
  return () => {
    const s = new net.Socket();
    const connect = s.connect.bind(s) as (o: net.TcpSocketConnectOpts) => net.Socket;
    (s as unknown as { connect: (port: number, host: string) => net.Socket }).connect = (port: number, host: string) =>
      connect({ port, host, lookup });
    return s;
  };
}

export type SslMode = "verify-full" | "verify-ca";

/** Connect by host NAME through the lab DNS, TLS verify-full (hostname checked) or verify-ca (chain only). */
export async function queryByName<T extends pg.QueryResultRow>(
  lab: Lab,
  host: string,
  sql: string,
  o: { mode?: SslMode; as?: "admin" | "app"; ca?: string } = {},
): Promise<T[]> {
  const creds = o.as === "app" ? lab.info.postgres.app : lab.info.postgres.admin;
  const ssl: pg.ClientConfig["ssl"] = {
    ca: o.ca ?? lab.info.caPem,
    rejectUnauthorized: true,
    ...(o.mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  };
  const client = new pg.Client({
    host,
    port: lab.info.postgres.port,
    database: "postgres",
    user: creds.user,
    password: creds.password,
    ssl,
    stream: streamVia(labResolver(lab)) as unknown as pg.ClientConfig["stream"],
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True while the process exists and is not a zombie (a reaped-later zombie is not running). */
export const alive = running;

/** Live processes whose command line or working directory is inside dir (servers, their backends, reaper, Azurite). */
export function processesUnder(dir: string): number[] {
  const inside = (p: string): boolean => p === dir || p.startsWith(dir + "/");
  return fs.readdirSync("/proc").flatMap((name) => {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) return [];
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, "");
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return (inside(cwd) || argv.some((a) => a.includes(dir))) && alive(pid) ? [pid] : [];
    } catch {
      return []; // gone meanwhile, or not ours to inspect
    }
  });
}

export { waitFor } from "../wait-for";

export const hasCommand = (cmd: string): boolean =>
  (process.env.PATH ?? "").split(":").some((d) => {
    try {
      fs.accessSync(`${d}/${cmd}`, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** A raw HTTPS call to the emulator (for shapes the SDKs never send). */
export async function armFetch(
  lab: Lab,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const https = await import("node:https");
  const url = new URL(path, lab.info.arm.endpoint);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: lab.info.caPem,
        headers: { Authorization: `Bearer ${lab.info.arm.token}`, "Content-Type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
            headers: res.headers as Record<string, string>,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
