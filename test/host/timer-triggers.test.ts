// Timer-triggered functions through the real host process: schedules (NCRONTAB, TimeSpan, %SETTING%),
// the Timer object the function gets, runOnStartup, past-due runs after downtime, the admin endpoint
// POST /admin/functions/{name}, and refusal of bad schedules.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { spawnHost } from "../../local/host/spawn";
import { ScheduleStatusStore } from "../../local/host/timer-status";
import { http, Raw, removeDir, tempDir, until, type TestHost } from "./helpers";

const TIMER_APP = resolve(__dirname, "../../../test/fixtures/timer-app");

interface Entry {
  timer: {
    isPastDue: boolean;
    schedule: { adjustForDST: boolean };
    scheduleStatus: { last: string; next: string; lastUpdated: string } | null;
  };
  start: number;
  end?: number;
}

/** The complete lines written so far (the function may be appending one right now). */
const entries = (out: string, fn: string): Entry[] => {
  const f = join(out, `${fn}.jsonl`);
  if (!existsSync(f)) return [];
  const lines = readFileSync(f, "utf8").split("\n");
  return lines.slice(0, -1).map((l) => JSON.parse(l) as Entry);
};

async function startTimerHost(env: Record<string, string>, dataDir = tempDir("timer-data"), virtualClock = false) {
  const out = tempDir("timer-out");
  const logs: string[] = [];
  const h = await spawnHost({
    appDir: TIMER_APP,
    dataDir,
    virtualClock,
    env: { TIMER_OUT: out, ...env },
    onLine: (l) => logs.push(l),
  });
  const host: TestHost & { out: string } = { ...h, dataDir, logs, out };
  const cleanup = async () => {
    await h.stop();
    removeDir(dataDir);
    removeDir(out);
  };
  return { host, cleanup };
}

describe("timer triggers", () => {
  it("run on NCRONTAB and TimeSpan schedules with the worker's Timer object; listed at start-up", async () => {
    // With the virtual clock, as tests and drills run the host: the pacing stays real time.
    const { host, cleanup } = await startTimerHost(
      { SAMPLER_SCHEDULE: "*/1 * * * * *", TICKER_SCHEDULE: "00:00:01", FAILING_SCHEDULE: "*/1 * * * * *" },
      undefined,
      true,
    );
    try {
      const [s, t] = await until("two runs of sampler and ticker, and two of the failing one", () => {
        const s = entries(host.out, "sampler");
        const t = entries(host.out, "ticker");
        return s.length >= 2 && t.length >= 2 && entries(host.out, "failing").length >= 2 ? [s, t] : undefined;
      });
      // Sub-minute schedules run without the schedule monitor: scheduleStatus is null.
      assert.deepEqual(s[0]!.timer, { schedule: { adjustForDST: true }, scheduleStatus: null, isPastDue: false });
      assert.deepEqual(t[0]!.timer, { schedule: { adjustForDST: false }, scheduleStatus: null, isPastDue: false });
      assert.ok(s[1]!.start > s[0]!.start);
      assert.ok(s.length <= 4 && t.length <= 4, `paced by real time, not spinning (${s.length}, ${t.length} runs)`);
      assert.ok(
        host.logs.some((l) => l.startsWith("[host] timer: sampler Cron: '*/1 * * * * *' -> next ")),
        host.logs.join("\n"),
      );
      assert.ok(host.logs.some((l) => l.includes("timer: ticker Constant: 00:00:01 -> next ")));
      assert.ok(host.logs.some((l) => l.includes("function 'failing' failed: failing on purpose")));
    } finally {
      await cleanup();
    }
  });

  it("admin endpoint: runs a timer function on demand (202), one invocation at a time; runOnStartup", async () => {
    const { host, cleanup } = await startTimerHost({
      SAMPLER_SCHEDULE: "0 0 0 1 1 *",
      SAMPLER_RUN_ON_STARTUP: "true",
      SAMPLER_SLEEP_MS: "150",
    });
    try {
      const admin = (name: string, body: unknown = { input: "" }, key = host.masterKey) =>
        http("POST", `${host.url}/admin/functions/${name}?code=${key}`, body);
      const startup = await until("the runOnStartup run", () => entries(host.out, "sampler")[0]);
      assert.equal(startup.timer.isPastDue, false);
      // A yearly schedule is monitored: the status the extension keeps comes along.
      assert.equal(startup.timer.scheduleStatus!.last, "0001-01-01T00:00:00+00:00");
      assert.match(startup.timer.scheduleStatus!.next, /^\d{4}-01-01T00:00:00\+00:00$/);

      assert.equal((await admin("sampler", { input: "" }, host.functionKey)).status, 401);
      assert.equal((await http("POST", `${host.url}/admin/functions/sampler`, { input: "" })).status, 401);
      assert.equal((await admin("nope")).status, 404);
      assert.equal((await admin("ping")).status, 501, "an HTTP function is not run through the admin API here");
      assert.equal((await admin("sampler", new Raw("not json"))).status, 400);
      assert.equal((await http("POST", `${host.url}/admin/functions/sampler?code=${host.masterKey}`)).status, 400);
      const runs = await Promise.all([admin("sampler"), admin("SAMPLER", { input: "x" }), admin("Sampler", {})]);
      assert.deepEqual(
        runs.map((r) => [r.status, r.body]),
        [
          [202, null],
          [202, null],
          [202, null],
        ],
      );
      const all = await until("the three on-demand runs", () => {
        const e = entries(host.out, "sampler");
        return e.length >= 4 ? e : undefined;
      });
      const spans = all.map((e) => [e.start, e.end!] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++)
        assert.ok(spans[i]![0] >= spans[i - 1]![1], `runs overlap: ${JSON.stringify(spans)}`);
      assert.ok(all.slice(1).every((e) => e.timer.isPastDue === false && e.timer.scheduleStatus !== null));
    } finally {
      await cleanup();
    }
  });

  it("after downtime, a missed occurrence runs at start with isPastDue = true", async () => {
    const dataDir = tempDir("timer-data");
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    new ScheduleStatusStore(dataDir).update("sampler", {
      last: minute - 120_000,
      next: minute - 60_000,
      lastUpdated: minute - 120_000,
    });
    const { host, cleanup } = await startTimerHost({ SAMPLER_SCHEDULE: "0 */1 * * * *" }, dataDir);
    try {
      const first = await until("the past-due run", () => entries(host.out, "sampler")[0]);
      assert.equal(first.timer.isPastDue, true);
      assert.equal(Date.parse(first.timer.scheduleStatus!.next), minute - 60_000);
      assert.ok(host.logs.some((l) => l.includes("timer 'sampler' is past due")));
      const status = await until("the status to be recorded", () => {
        const st = new ScheduleStatusStore(dataDir).get("sampler")!;
        return st.last >= minute ? st : undefined;
      });
      assert.equal(status.next, Math.floor(status.last / 60_000) * 60_000 + 60_000);
    } finally {
      await cleanup();
    }
  });

  it("refuses to start with an unresolvable or unrecognized schedule", async () => {
    const data = tempDir("timer-bad");
    try {
      await assert.rejects(
        spawnHost({ appDir: TIMER_APP, dataDir: data, env: { TIMER_OUT: data } }),
        /Timer function 'sampler': '%SAMPLER_SCHEDULE%' does not resolve to a value\./,
      );
      await assert.rejects(
        spawnHost({ appDir: TIMER_APP, dataDir: data, env: { TIMER_OUT: data, SAMPLER_SCHEDULE: "hourly" } }),
        /The schedule expression 'hourly' was not recognized as a valid cron expression or timespan string\./,
      );
    } finally {
      removeDir(data);
    }
  });
});
