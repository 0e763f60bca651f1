// PostgreSQL connections per failover, counted from the lab servers' own logs (log_connections = on, stamped in
// UTC: local/lab/pg-pair.ts). Chosen over pg_stat_database.sessions (PG 14+): that counter is per database
// with no author and no time, is flushed by each backend on its own schedule (a session still open may not be
// counted yet), and would count the bench's own reading connection and the lab's (ARM emulator) sessions; the
// log names the application of every login (the app's is "pgflex-failover", src/probe/pg-connect.ts) and its
// millisecond, so each login is attributed to its server and to the step that made it.
import fs from "node:fs";
import path from "node:path";
import type { Lab } from "../lab";

export const APP_NAME = "pgflex-failover";

/** Step groups as issue 22 counts them: one login per server per group is the budget. */
export const STEP_GROUPS = ["preflight", "fence + catch-up", "writable watch", "verify", "other"] as const;
export type StepGroup = (typeof STEP_GROUPS)[number];

/** The group a step (a result.rto phase, or a straight-line step) belongs to. */
export function groupOf(step: string): StepGroup {
  if (step === "preflight") return "preflight";
  if (step === "fence" || step === "catchUp") return "fence + catch-up";
  if (step === "promote") return "writable watch";
  if (step === "verify") return "verify";
  return "other";
}

export interface Login {
  at: number;
  pid: number;
  user: string;
  application: string;
}

export interface LogScan {
  /** Completed logins (TLS + authentication) by any client. */
  logins: Login[];
  /** TCP connections whose process never logged in (e.g. the verify-full attempt on the CNAME, refused by design). */
  notLoggedIn: number;
}

const PREFIX = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[(\d+)\] /;

/** Reads the log lines `log_line_prefix = '%m [%p] %q%u@%d '` and log_connections produce. */
export function scanLog(text: string): LogScan {
  const logins: Login[] = [];
  const received = new Set<number>();
  const authorized = new Set<number>();
  for (const line of text.split("\n")) {
    const m = PREFIX.exec(line);
    if (!m) continue;
    const pid = Number(m[2]);
    const rest = line.slice(m[0].length);
    if (/LOG: {2}connection received: host=(?!\[local\])/.test(rest)) received.add(pid);
    const a = /LOG: {2}connection authorized: user=(\S+) database=\S+(?: application_name=(\S+))?/.exec(rest);
    if (a) {
      authorized.add(pid);
      logins.push({ at: Date.parse(`${m[1]!.replace(" ", "T")}Z`), pid, user: a[1]!, application: a[2] ?? "" });
    }
  }
  return { logins, notLoggedIn: [...received].filter((p) => !authorized.has(p)).length };
}

/** Where each server of a lab pair logs: the paths createPgPairs gives them (local/lab/pg-pair.ts, nodeCfg). */
export function logFilesOf(lab: Lab, pairIndex: number): Record<string, string> {
  const pair = lab.info.pairs[pairIndex];
  if (!pair) throw new Error(`the lab has no pair ${pairIndex}`);
  const file = (key: "primary" | "replica") =>
    path.join(lab.info.dir, `pg-${pairIndex === 0 ? key : `${key}-${pairIndex}`}.log`);
  return { [pair.servers.primary.name]: file("primary"), [pair.servers.replica.name]: file("replica") };
}

/** One failover's connections to one pair, as the bench reports them. */
export interface ConnectionCount {
  /** The app's logins during the run, over both servers. */
  total: number;
  byServer: Record<string, number>;
  byGroup: Record<StepGroup, number>;
  /** [server][group] → logins. */
  byServerAndGroup: Record<string, Partial<Record<StepGroup, number>>>;
  /** TCP connections to the pair's servers that never logged in (any client). */
  notLoggedIn: number;
}

/** A step's span on the wall clock (ms since the epoch). */
export interface Span {
  step: string;
  start: number;
  end: number;
}

/** Marks where each server's log ends now; `count` then reads what the app logged in since, by step group. */
export function watchConnections(files: Record<string, string>): { count(spans: Span[]): ConnectionCount } {
  const offsets = Object.fromEntries(Object.entries(files).map(([s, f]) => [s, sizeOf(f)]));
  return {
    count(spans) {
      const scans = Object.fromEntries(Object.entries(files).map(([s, f]) => [s, scanLog(readFrom(f, offsets[s]!))]));
      return countConnections(scans, spans);
    },
  };
}

/** The app's logins attributed to servers and step groups (pure: the bench's test and unit tests call it). */
export function countConnections(scans: Record<string, LogScan>, spans: Span[]): ConnectionCount {
  const byGroup = Object.fromEntries(STEP_GROUPS.map((g) => [g, 0])) as Record<StepGroup, number>;
  const byServer: Record<string, number> = {};
  const byServerAndGroup: ConnectionCount["byServerAndGroup"] = {};
  let total = 0;
  let notLoggedIn = 0;
  for (const [server, scan] of Object.entries(scans)) {
    notLoggedIn += scan.notLoggedIn;
    byServer[server] = 0;
    byServerAndGroup[server] = {};
    for (const login of scan.logins.filter((l) => l.application === APP_NAME)) {
      const span = spans.find((s) => login.at >= s.start && login.at <= s.end);
      const group = groupOf(span?.step ?? "");
      total++;
      byServer[server]!++;
      byGroup[group]++;
      byServerAndGroup[server]![group] = (byServerAndGroup[server]![group] ?? 0) + 1;
    }
  }
  return { total, byServer, byGroup, byServerAndGroup, notLoggedIn };
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}
