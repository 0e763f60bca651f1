// GET /api/pairs tells whether a failover would work now: readiness {ready, score, reasons}. On the lab, with the
// app under the local host: a healthy pair after a dry run is ready at 100; the score drops, with the reason,
// when replay stops on the replica and the lag grows, when the app's role loses an action on the CNAME, and when
// the replica's region goes down; each time it recovers once the cause is gone. The lag-sampler timer (run on
// demand here) also logs one `pgflex.readiness` record per pair, the line the template's alert rule queries.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { MONITORS_OFF } from "../../local/bench/monitors-off";
import { APP_ROLE_FILE } from "../../local/lab/arm/rbac";
import { failover, pairView, runFunction, start, waitFor, type Stack } from "./helpers";

interface ReadinessView {
  readiness: { ready: boolean; score: number; reasons: string[] };
  lag: { latest: { at: string; bytes: number | null } | null };
}

const view = async (stack: Stack) => (await pairView(stack)) as unknown as ReadinessView;

/** The readiness once `shows` holds (GET /api/pairs serves a view up to a few seconds old). */
async function readinessOnce(stack: Stack, what: string, shows: (r: ReadinessView["readiness"]) => boolean) {
  return waitFor(
    what,
    async () => {
      const r = (await view(stack)).readiness;
      return shows(r) ? r : undefined;
    },
    60_000,
  );
}

/** A fresh lag sample: the sampler timer run now (the timers are off: only the test decides when it runs). */
async function sample(stack: Stack): Promise<void> {
  const before = (await view(stack)).lag.latest?.at ?? "";
  await runFunction(stack, "lag-sampler");
  await waitFor("a new lag sample", async () => ((await view(stack)).lag.latest?.at ?? "") > before || undefined);
}

const ready = (r: { ready: boolean; score: number }) => r.ready && r.score === 100;

test("readiness drops with the reason when the lag grows, a permission is removed or the replica's region is down, and recovers", async (t) => {
  const lines: string[] = [];
  const stack = await start({
    settings: MONITORS_OFF,
    // The lab's CNAME TTL is an hour: a drain cap as long keeps the TTL item satisfied; a small RPO threshold
    // lets a few hundred kilobytes of unreplayed WAL count as too much.
    pair: { timings: { drainCapSeconds: 3600 }, rpo: { maxLagBytes: 100_000 } },
    onHostLine: (l) => lines.push(l),
  });
  t.after(() => stack.stop());
  const { lab } = stack;

  // A healthy pair: no dry run yet (advisory), then one.
  await sample(stack);
  const first = await readinessOnce(stack, "only the dry run missing", (r) => r.score === 90);
  assert.equal(first.ready, true, first.reasons.join("; "));
  assert.match(first.reasons.join("; "), /no successful dry run/);
  const dry = await failover(stack, { dryRun: true });
  assert.equal(dry.out.outcome, "dryRun");
  await readinessOnce(stack, "ready at 100 after the dry run", ready);

  // The timer's record, as Application Insights would store it in traces.
  await runFunction(stack, "lag-sampler");
  const record = await waitFor("a pgflex.readiness record", async () =>
    lines.find((l) => l.includes(`pgflex.readiness {"pair":"${stack.pair}"`)),
  );
  const json = JSON.parse(record.slice(record.indexOf("{"))) as { ready: boolean; score: number; reasons: string[] };
  assert.deepEqual(Object.keys(json), ["pair", "ready", "score", "reasons"]);

  // The lag grows: replay paused on the replica, writes on the primary.
  await lab.adminQuery("replica", "SELECT pg_wal_replay_pause()");
  await lab.adminQuery("primary", "CREATE TABLE IF NOT EXISTS readiness_load (x text)");
  await lab.adminQuery("primary", "INSERT INTO readiness_load SELECT repeat('x', 1000) FROM generate_series(1, 2000)");
  await sample(stack);
  const lagging = await readinessOnce(stack, "not ready: the lag", (r) => !r.ready);
  assert.match(lagging.reasons.join("; "), /bytes behind, above the pair's rpo.maxLagBytes \(100000\)/);
  assert.ok(lagging.score <= 85, String(lagging.score));
  await lab.adminQuery("replica", "SELECT pg_wal_replay_resume()");
  await waitFor("the replica caught up", async () => {
    await sample(stack);
    const r = (await view(stack)).readiness;
    return ready(r) || undefined;
  });

  // A permission removed: the app's role without CNAME write (kept at its scopes, as the deployment assigns it).
  const role = JSON.parse(readFileSync(APP_ROLE_FILE, "utf8")) as { Actions: string[] };
  const cut = "Microsoft.Network/privateDnsZones/CNAME/write";
  lab.setRole({ ...role, Actions: role.Actions.filter((a) => a !== cut) });
  const denied = await readinessOnce(stack, "not ready: a permission", (r) => !r.ready);
  assert.match(denied.reasons.join("; "), new RegExp(`lacks ${cut} on the CNAME`));
  lab.setRole(APP_ROLE_FILE);
  await readinessOnce(stack, "ready again with the role restored", ready);

  // The replica's region goes down, then comes back.
  const region = lab.info.servers.replica.region;
  await lab.regionDown(region);
  const down = await readinessOnce(stack, "not ready: the replica is gone", (r) => !r.ready);
  const why = down.reasons.join("; ");
  assert.match(why, /replica/);
  assert.match(why, /cannot log in to/);
  await lab.regionUp(region);
  await waitFor(
    "ready again with the region back",
    async () => {
      await sample(stack);
      return ready((await view(stack)).readiness) || undefined;
    },
    90_000,
  );
});
