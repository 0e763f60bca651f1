// `npm run drill`: a full failover rehearsal on the local two-region lab. Starts the lab and the app under
// the local durable host, requests a failover, follows it live, prints the timeline and the verification,
// tears everything down, and exits 0 only when the failover was verified through the CNAME.
// With --traffic an application writes through the CNAME during the run (local/lab/traffic.ts) and the drill
// reports acknowledged / lost / diverged writes; a planned failover that lost a write fails the drill.
// While it runs it prints the status page's URL for the run and a sign-in link per lab user; with --hold the
// lab and the host stay up after the run (for the page) until Ctrl-C.
import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { labSignInLink } from "../host/lab-sign-in";
import { followFailover } from "./follow";
import { phaseTable, progressLine, summary, type FailoverView } from "./render";
import { LAB_USERS, startStack, type Stack } from "./stack";
import { trafficSummary } from "./traffic-summary";
import { alertPayload } from "../lab/alert-payloads";
import { promotedAt, startTraffic, type Traffic, type TrafficOptions, type TrafficReport } from "../lab/traffic";
import type { Lab } from "../lab";
import { parseProfile, type PaceProfile } from "../lab/pace";
import { AZURE_PACE_TIMINGS } from "./stack";
import { REPROTECT_ROLE_FILE } from "../lab/arm/rbac";
import { roundTrip } from "./round-trip";

interface Args {
  json: boolean;
  forced: boolean;
  dryRun: boolean;
  verbose: boolean;
  traffic?: TrafficOptions;
  /** Fire an Azure Monitor alert instead of a person's request: the primary's region goes down first. */
  alert?: "propose" | "auto";
  /** Keep the lab and the host up after the run (the status page) until Ctrl-C. */
  hold: boolean;
  /** The lab's pace (local/lab/pace.ts): fast, or Azure's documented/measured operation times. */
  profile: PaceProfile;
  seed?: number;
  /** failover → re-protect → planned failback → re-protect (local/drill/round-trip.ts). */
  roundTrip: boolean;
}

const USAGE =
  "usage: npm run drill [-- --round-trip] [--forced] [--dry-run] [--profile fast|azure [--seed N]] [--json] [--verbose] [--hold] [--traffic [--traffic-rate N] [--traffic-connections N] [--traffic-mode pool|per-transaction]] [--alert [--alert-policy propose|auto]]\n";

function trafficOptions(v: { rate?: string; connections?: string; mode?: string }): TrafficOptions {
  const num = (flag: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!(n > 0)) throw new Error(`--traffic-${flag} must be a number > 0`);
    return n;
  };
  if (v.mode !== undefined && v.mode !== "pool" && v.mode !== "per-transaction")
    throw new Error("--traffic-mode must be pool or per-transaction");
  return { rate: num("rate", v.rate), connections: num("connections", v.connections), mode: v.mode };
}

function parseCli(argv: string[]): Args {
  try {
    const { values: v } = parseArgs({
      args: argv,
      strict: true,
      options: {
        json: { type: "boolean", default: false },
        forced: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        traffic: { type: "boolean", default: false },
        "traffic-rate": { type: "string" },
        "traffic-connections": { type: "string" },
        "traffic-mode": { type: "string" },
        alert: { type: "boolean", default: false },
        "alert-policy": { type: "string" },
        hold: { type: "boolean", default: false },
        "round-trip": { type: "boolean", default: false },
        profile: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (v.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const traffic = v.traffic
      ? trafficOptions({ rate: v["traffic-rate"], connections: v["traffic-connections"], mode: v["traffic-mode"] })
      : undefined;
    const policy = v["alert-policy"] ?? "propose";
    if (policy !== "propose" && policy !== "auto") throw new Error("--alert-policy must be propose or auto");
    if (v["alert-policy"] && !v.alert) throw new Error("--alert-policy needs --alert");
    const alert = v.alert ? policy : undefined;
    const pace = parseProfile(v.profile, v.seed);
    if (v["round-trip"] && (v.forced || v["dry-run"] || v.alert))
      throw new Error("--round-trip takes planned failovers: not with --forced, --dry-run or --alert");
    return {
      roundTrip: v["round-trip"],
      profile: pace.profile ?? "fast",
      seed: pace.seed,
      json: v.json,
      forced: v.forced || !!alert,
      dryRun: v["dry-run"],
      verbose: v.verbose,
      traffic,
      alert,
      hold: v.hold,
    };
  } catch (e) {
    process.stderr.write(`drill: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<number> {
  const args = parseCli(process.argv.slice(2));
  // With --json, stdout carries only the final status object; people read stderr.
  const say = (s: string) => (args.json ? process.stderr : process.stdout).write(s + "\n");
  const t0 = Date.now();
  let stack: Stack | undefined;
  let stopTraffic: (() => Promise<void>) | undefined;
  /** Set while --hold keeps the stack up: Ctrl-C ends the hold and the drill exits with its verdict. */
  let release: (() => void) | undefined;
  const stop = async () => {
    await stopTraffic?.();
    if (stack) {
      const s = stack;
      stack = undefined;
      const t = Date.now();
      await s.stop();
      say(`lab and host stopped in ${((Date.now() - t) / 1000).toFixed(1)}s`);
    }
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      if (release) return release();
      say(`\n${sig}: tearing down`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    say("starting the two-region lab (PostgreSQL primary + replica, DNS, ARM emulator, Azurite) and the local host…");
    const azure = args.profile === "azure";
    if (azure)
      say(
        `profile azure (seed ${args.seed ?? 1}): promote 1–3 min, server parameter changes 20–40 s; the pair's deadlines: ${JSON.stringify(AZURE_PACE_TIMINGS)}`,
      );
    stack = await startStack({
      lab: {
        profile: args.profile,
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        // The round trip creates servers: the deployment with re-protection enabled (its optional role).
        ...(args.roundTrip ? { reprotectRole: REPROTECT_ROLE_FILE } : {}),
      },
      onHostLine: args.verbose ? (l) => say(`  host| ${l}`) : undefined,
      pair: {
        ...(azure ? { timings: AZURE_PACE_TIMINGS } : {}),
        ...(args.alert ? { alerts: { policy: args.alert } } : {}),
      },
    });
    const { lab, api } = stack;
    say(
      `ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: app at ${stack.host.url}, ARM ${lab.info.arm.endpoint}, DNS ${lab.info.dns.host}:${lab.info.dns.port}`,
    );
    say(
      `  ${lab.info.cnameRecord}.${lab.info.zone} → ${lab.info.servers.primary.aRecordFqdn} (${lab.info.servers.primary.name}, ${lab.info.servers.primary.region}); replica ${lab.info.servers.replica.name} (${lab.info.servers.replica.region})`,
    );

    const request = {
      pair: stack.pair,
      option: args.forced ? "Forced" : "Planned",
      reason: "npm run drill: rehearsal on the local lab",
      requestedBy: `drill by ${safeUser()}@${hostname()}`,
      dryRun: args.dryRun,
    };
    const traffic = args.traffic && startTraffic(lab.info, args.traffic);
    if (traffic) {
      stopTraffic = () => traffic.stop();
      say(
        `traffic: ${args.traffic?.rate ?? 200} writes/s through ${lab.info.cnameRecord}.${lab.info.zone} as ${lab.info.postgres.writer.user} (${args.traffic?.mode ?? "pool"}, ${args.traffic?.connections ?? 5} connections)`,
      );
    }
    if (args.roundTrip) return await runRoundTrip(stack, traffic || undefined, args, say, t0);
    const started = args.alert ? await fireAlert(stack, args.alert, say) : await requestFailover(stack, request, say);
    if (!started) return 1;
    await printStatusPage(stack, started.id, args.hold, say);
    const startedAt = Date.now();
    const approver = stack.approver;
    const view: FailoverView = await followFailover(api, started.id, {
      onEntry: (e) => say(progressLine(e, startedAt)),
      onStep: (step, message) =>
        say(`  ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s > ${step}: ${message}`),
      // The pair wants a second person for this run: the drill answers as bob (Failover.Approve).
      onAwaitingApproval: async (v) => {
        const plan = v.awaitingApproval!;
        say(
          `  approval requested from a second person: ${plan.from} → ${plan.to} (${plan.option}), asked by ${plan.requester.name}`,
        );
        say(
          `    data at risk: ${plan.risk?.bytes ?? "unknown"} bytes (${plan.risk?.source ?? "?"}); at most ${plan.predictedRtoSeconds.atMost}s once approved`,
        );
        const r = await approver.post(`/api/failovers/${encodeURIComponent(v.id)}/approve`, {
          reason: "npm run drill: approved by the lab's second user",
        });
        say(`    POST /approve as bob → ${r.status}`);
      },
    });
    const out = view.result;
    if (!out) {
      say(`\nthe orchestration ended ${view.runtimeStatus} without a result: ${JSON.stringify(view.error)}`);
      if (args.json) process.stdout.write(JSON.stringify(view, null, 2) + "\n");
      return 1;
    }
    say("\nsteps:");
    say(phaseTable(out));
    say("\nresult:");
    say(summary(out));
    const report = traffic && (await trafficReport(traffic, lab));
    if (report) {
      say("\ntraffic through the CNAME during the run:");
      say(trafficSummary(report));
    }
    if (args.json) process.stdout.write(JSON.stringify(report ? { ...view, traffic: report } : view, null, 2) + "\n");
    const verified = args.dryRun ? out.outcome === "dryRun" : out.outcome === "succeeded" && out.verification !== null;
    const lostPlanned = !!report && report.lost > 0 && !args.forced && !args.dryRun;
    const ok = verified && !lostPlanned;
    say(
      `\n${ok ? "DRILL PASSED" : "DRILL FAILED"}${args.dryRun ? " (dry run: nothing was changed)" : ""}${lostPlanned ? `: a planned failover lost ${report.lost} acknowledged writes` : ""} in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    if (args.hold) {
      say(`\nholding the lab and the host up: status page ${new URL("/api/ui", stack.host.url).href} (Ctrl-C to stop)`);
      await new Promise<void>((r) => (release = r));
      say("\nCtrl-C: tearing down");
    }
    return ok ? 0 : 1;
  } catch (e) {
    say(`drill: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    await stop();
  }
}

/** The round trip, its traffic report, and the verdict. */
async function runRoundTrip(
  stack: Stack,
  traffic: Traffic | undefined,
  args: Args,
  say: (s: string) => void,
  t0: number,
): Promise<number> {
  const trip = await roundTrip(stack, say);
  say("\nround trip:");
  for (const l of trip.legs)
    say(`  ${l.name.padEnd(36)} ${l.outcome.padEnd(10)} ${l.seconds.toFixed(1).padStart(7)} s  ${l.note}`);
  say(
    `  at the end: primary ${trip.primary?.name} (${trip.primary?.region}), replica ${trip.replica?.name} (${trip.replica?.region})`,
  );
  let report: TrafficReport | undefined;
  if (traffic) {
    await traffic.stop();
    const all = stack.lab.allServers();
    const primary = all.find((s) => s.info.name === trip.primary?.name)?.info;
    report = await traffic.report({
      newPrimary: primary ?? "primary",
      // The last old primary: the server the failback left (the original replica).
      oldPrimary: stack.lab.info.servers.replica,
    });
    say("\ntraffic through the CNAME during the round trip:");
    say(trafficSummary(report));
  }
  const lost = report?.lost ?? 0;
  const ok = trip.ok && lost === 0;
  for (const p of trip.problems) say(`  problem: ${p}`);
  if (args.json) process.stdout.write(JSON.stringify({ roundTrip: trip, traffic: report ?? null }, null, 2) + "\n");
  say(
    `\n${ok ? "DRILL PASSED" : "DRILL FAILED"} (round trip)${lost ? `: ${lost} acknowledged writes lost` : ""} in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
  return ok ? 0 : 1;
}

/**
 * The status page's URL for the run, and a sign-in link per lab user (the local host has no Entra sign-in
 * page: a link opens a session in the browser that follows it, once). A link that cannot be made is said.
 */
async function printStatusPage(stack: Stack, id: string, hold: boolean, say: (s: string) => void) {
  const page = `/api/ui#/runs/${encodeURIComponent(id)}`;
  say(`\nstatus page: ${new URL(page, stack.host.url).href}`);
  say("  sign in first, as one of the lab users (each link works once, in one browser):");
  for (const [user, roles] of Object.entries(LAB_USERS)) {
    try {
      // Held labs may be looked at for hours: the session lasts as long as its token.
      const token = await stack.lab.token({
        user,
        roles: [...roles],
        ...(hold ? { expiresInSeconds: 12 * 3600 } : {}),
      });
      say(`    ${user} (${roles.join(", ")}): ${await labSignInLink(stack.host.url, token, page)}`);
    } catch (e) {
      say(`    ${user}: no sign-in link (${(e as Error).message})`);
    }
  }
}

async function requestFailover(stack: Stack, request: unknown, say: (s: string) => void) {
  const r = await stack.api.post<{ id: string; statusUri: string }>("/api/failovers", request);
  if (r.status !== 202) {
    say(`the failover request was refused: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return undefined;
  }
  say(`\nPOST /api/failovers (as alice) → 202; following ${r.body.statusUri}`);
  return r.body;
}

/**
 * The night shift without a person: sample the lag while the primary lives, take its region down, and
 * deliver the alert an action group would (is_db_alive < 1) with the function key.
 */
async function fireAlert(stack: Stack, policy: "propose" | "auto", say: (s: string) => void) {
  const { lab } = stack;
  const { primary } = lab.info.servers;
  const sample = await fetch(new URL("/admin/functions/lag-sampler", stack.host.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.host.masterKey },
    body: JSON.stringify({ input: "" }),
  });
  for (let i = 0; i < 100; i++) {
    const pairs = await stack.api.get<{ pairs: { lag: { latest: { bytes: number | null } | null } }[] }>("/api/pairs");
    const latest = pairs.body.pairs[0]?.lag.latest;
    if (latest) {
      say(`lag sampled while the primary lives (${sample.status}): ${latest.bytes ?? "?"} bytes behind`);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await lab.regionDown(primary.region);
  say(`region ${primary.region} is down: ${primary.name} stopped; Azure Monitor fires "is_db_alive < 1"`);
  const alert = alertPayload(primary.resourceId, { rule: `${primary.name}-is-db-alive` });
  const r = await stack.api
    .as({ functionKey: stack.host.functionKey })
    .post<{ results: { action: string; reason: string; id?: string; statusUri?: string }[] }>("/api/alerts", alert);
  const result = r.body.results?.[0];
  say(`\nPOST /api/alerts (action group, policy ${policy}) → ${r.status}: ${result?.action}: ${result?.reason}`);
  if (r.status !== 202 || !result?.id) return undefined;
  return { id: result.id, statusUri: result.statusUri ?? "" };
}

/** Stops the generator and compares its writes with the server that is primary now (per the lab's promotes). */
async function trafficReport(traffic: Traffic, lab: Lab): Promise<TrafficReport> {
  await traffic.stop();
  const at = promotedAt(lab.operations());
  return traffic.report({ newPrimary: at ? "replica" : "primary", promotedAt: at });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "someone";
  }
}

void main().then((code) => process.exit(code));
