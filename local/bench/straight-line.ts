// The failover as a plain script: the app's own activities and adapters (built by the app's composition root from
// the lab's settings, with a static token), called one after another with no orchestration, no audit and no
// durable timers — the floor the orchestrated run is compared with. Planned, drain off: preflight, lower TTL,
// fence, catch-up, promote, writable (its own name polled every 100 ms), repoint, verify through the CNAME.
// Run in its own process, as the app runs in the host's: `node straight-line.js <settings file> <pair>...` runs
// the pairs at once (the fleet's floor) and prints one JSON line: the array of their results, in order.
import fs from "node:fs";
import { makeCheckCatchUp } from "../../src/activities/check-catch-up";
import { fenceServer } from "../../src/activities/fencing";
import { makeLowerTtl } from "../../src/activities/lower-ttl";
import { makePreflight } from "../../src/activities/preflight";
import { makePromote } from "../../src/activities/promote";
import { makeRepointCname } from "../../src/activities/repoint-cname";
import type { ActivityDeps } from "../../src/activities/deps";
import { makeVerify } from "../../src/activities/verify";
import { buildServices } from "../../src/app/services";
import { staticTokenCredential } from "../../src/azure/credential";
import { loadConfig } from "../../src/config/settings";
import { secureContextsBuilt } from "../../src/probe/tls-context";

export const STRAIGHT_STEPS = ["preflight", "lowerTtl", "fence", "catchUp", "promote", "repoint", "verify"] as const;
export type StraightStep = (typeof STRAIGHT_STEPS)[number];

export interface StraightLineResult {
  pair: string;
  from: string;
  to: string;
  startedAt: string;
  /** When the 100 ms poll first saw the promoted server out of recovery and read-write. */
  writableSeenAt: string;
  verifiedAt: string;
  /** Seconds per step; "promote" runs from the PATCH to writable, as the orchestrated run's promote phase does. */
  steps: Record<StraightStep, number>;
  /** Seconds from the start of the preflight to the verified write through the CNAME. */
  total: number;
  writablePolls: number;
  /** TLS secure contexts this process had built by the end (one per CA bundle is the target). */
  tlsContexts: number;
}

const POLL_MS = 100;
const DEADLINE_MS = 600_000; // a bound, not a figure: at Azure's pace (--profile azure) a run takes minutes
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The app's activity dependencies, built by its composition root from the lab's settings (one set per process, as in the host). */
export function labDeps(settings: Record<string, string>): ActivityDeps {
  const token = settings.PGFLEX_STATIC_TOKEN;
  if (!token) throw new Error("the settings hold no PGFLEX_STATIC_TOKEN: the straight line runs on the lab only");
  return buildServices(loadConfig(settings), staticTokenCredential(token)).deps;
}

export async function straightLine(deps: ActivityDeps, pairName: string): Promise<StraightLineResult> {
  const pair = await deps.pair(pairName);
  const ref = { runId: `straight-${Date.now()}`, pair: pairName };
  const refused = (step: string, r: { code: string; reason: string }): Error =>
    new Error(`${step} refused: ${r.code}: ${r.reason}`);
  const deadline = Date.now() + DEADLINE_MS;
  const steps = {} as Record<StraightStep, number>;
  const startedAt = new Date();
  const t0 = performance.now();
  let t = t0;
  const lap = (step: StraightStep): void => {
    const now = performance.now();
    steps[step] = (now - t) / 1000;
    t = now;
  };

  const plan = await makePreflight(deps)({ ...ref, option: "Planned", dryRun: false, mode: "failover" });
  if (plan.kind !== "ready") throw refused("preflight", plan);
  lap("preflight");

  const ttl = await makeLowerTtl(deps)({ ...ref, expected: plan.cname, ttl: pair.ttl.failoverSeconds });
  if (ttl.kind !== "done") throw refused("lowerTtl", ttl);
  lap("lowerTtl");

  const fenced = await fenceServer(deps, pair, plan.from);
  if (!fenced.lsn) throw new Error(`${plan.from.name} reported no WAL position after the fence`);
  lap("fence");

  const checkCatchUp = makeCheckCatchUp(deps);
  for (;;) {
    const c = await checkCatchUp({ ...ref, server: plan.to, lsn: fenced.lsn, watchSeconds: 10 });
    if (c.kind === "refused") throw refused("catchUp", c);
    if (c.caughtUp) break;
    if (Date.now() > deadline) throw new Error(`catch-up: ${c.detail}`);
  }
  lap("catchUp");

  const promoted = await makePromote(deps)({ ...ref, server: plan.to, option: "Planned" });
  if (promoted.kind === "refused") throw refused("promote", promoted);
  const login = deps.login(pair);
  let writablePolls = 0;
  let writableSeenAt: Date | undefined;
  while (!writableSeenAt) {
    writablePolls++;
    try {
      const f = await deps.probe.inspect(plan.to.fqdn, login, "verify-full");
      if (!f.inRecovery && f.transactionReadOnly === "off") writableSeenAt = new Date();
    } catch {
      // not answering yet: look again
    }
    if (writableSeenAt) break;
    if (Date.now() > deadline) throw new Error(`${plan.to.name} was not writable within ${DEADLINE_MS} ms`);
    await sleep(POLL_MS);
  }
  lap("promote");

  const repointed = await makeRepointCname(deps)({
    ...ref,
    fromTarget: plan.from.aRecordFqdn,
    toTarget: plan.to.aRecordFqdn,
  });
  if (repointed.kind !== "done") throw refused("repoint", repointed);
  lap("repoint");

  const verify = makeVerify(deps);
  for (;;) {
    const v = await verify({
      ...ref,
      expectedTarget: plan.to.aRecordFqdn,
      server: plan.to,
      answers: pair.verify.answers,
    });
    if (v.kind === "verified") break;
    if (v.kind === "refused") throw refused("verify", v);
    if (Date.now() > deadline) throw new Error(`DNS still answers ${v.answer}`);
    await sleep(POLL_MS);
  }
  lap("verify");
  return {
    pair: pairName,
    from: plan.from.name,
    to: plan.to.name,
    startedAt: startedAt.toISOString(),
    writableSeenAt: writableSeenAt.toISOString(),
    verifiedAt: new Date().toISOString(),
    steps,
    total: (performance.now() - t0) / 1000,
    writablePolls,
    tlsContexts: secureContextsBuilt(),
  };
}

if (require.main === module) {
  const [settingsFile, ...pairs] = process.argv.slice(2);
  if (!settingsFile || pairs.length === 0) {
    process.stderr.write("usage: node straight-line.js <local.settings.json> <pair>...\n");
    process.exit(2);
  }
  const { Values } = JSON.parse(fs.readFileSync(settingsFile, "utf8")) as { Values: Record<string, string> };
  const deps = labDeps(Values);
  Promise.all(pairs.map((p) => straightLine(deps, p))).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + "\n");
      process.exit(0); // the SDK clients keep sockets alive: this script is done
    },
    (e: unknown) => {
      process.stderr.write(`straight line failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
