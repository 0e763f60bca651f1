// npm run bench in quick mode, so it cannot rot: it must run end to end on the lab and write a JSON with every
// section. Figures are not asserted (the machine is shared and noisy); only that each was produced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchReport } from "../../local/bench/report";

const CLI = path.resolve(__dirname, "../../local/bench/cli.js");
const TIMEOUT = Number(process.env.BENCH_TEST_TIMEOUT_MS ?? 200_000);

test(
  "npm run bench -- --quick --fleet writes a JSON with every section and prints the tables",
  { timeout: TIMEOUT },
  async (t) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pgflex-bench-test-"));
    t.after(() => fs.rmSync(out, { recursive: true, force: true }));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [CLI, "--quick", "--fleet", "--quiet", "--out", out],
        { timeout: TIMEOUT - 10_000, maxBuffer: 16 << 20 },
        (err, so, se) => (err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so)),
      ),
    );
    const files = fs.readdirSync(out).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 1);
    assert.match(stdout, new RegExp(`results: ${path.join(out, files[0]!).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    for (const heading of [
      "Failover, planned",
      "PostgreSQL logins per failover",
      "Detection lag",
      "Failover at Azure's pace",
      "Fleet",
      "Local host",
      "Lab (seconds)",
      "Targets",
    ])
      assert.ok(stdout.includes(heading), `the table has "${heading}"`);

    const r = JSON.parse(fs.readFileSync(path.join(out, files[0]!), "utf8")) as BenchReport;
    assert.equal(r.schema, 1);
    assert.deepEqual(r.options, { runs: 1, quick: true, fleet: true, profile: "fast" });
    // The failover at Azure's pace takes minutes: only the full bench runs it.
    assert.equal(r.azurePace.sample, null);
    assert.match(r.azurePace.note, /--quick/);
    assert.ok(r.machine.nproc >= 1 && r.machine.cpu && r.machine.node === process.version);
    const measured = (x: { median: number; n: number } | null | undefined, what: string) => {
      assert.ok(x && Number.isFinite(x.median) && x.n >= 1, `${what} was measured`);
    };

    for (const step of ["preflight", "lowerTtl", "fence", "catchUp", "promote", "repoint", "verify", "total"])
      measured(r.failover.rto[step], `rto.${step}`);
    measured(r.failover.postToVerified, "POST → verified");
    assert.equal(r.failover.samples.length, 1);
    for (const step of ["preflight", "lowerTtl", "fence", "catchUp", "promote", "repoint", "verify"])
      measured(r.straightLine.steps[step], `straight-line ${step}`);
    measured(r.straightLine.total, "straight-line total");
    measured(r.straightLine.ratio, "orchestrated / straight-line");
    // Logins counted from the servers' logs, beside the timings (counted, not asserted against the budget here:
    // test/bench/connections.test.ts does that).
    measured(r.failover.connections.orchestrated, "PostgreSQL logins (orchestrated)");
    measured(r.failover.connections.straightLine, "PostgreSQL logins (straight line)");
    measured(r.failover.connections.byGroup.verify, "PostgreSQL logins in the verify step group");
    measured(r.failover.connections.tlsContexts, "TLS secure contexts built");
    assert.ok(r.failover.connections.orchestrated!.median >= 1, "the app's logins were seen in the logs");
    measured(r.detectionLag.orchestrated, "detection lag (orchestrated)");
    measured(r.detectionLag.straightLine, "detection lag (straight line)");

    assert.equal(r.fleet.requested, true);
    assert.deepEqual(
      r.fleet.sizes.map((f) => [f.pairs, f.throttled]),
      [
        [1, false],
        [2, false],
        [2, true],
      ],
    );
    // The throttled evacuation met ARM's 429s and still succeeded: the app's back-off ran, not just the happy path.
    const throttledRun = r.fleet.samples[0]!.find((e) => e.throttled)!;
    assert.ok(throttledRun.throttledRequests > 0, `ARM answered 429 during the throttled evacuation`);
    for (const f of r.fleet.sizes) {
      measured(f.seconds, `evacuation of ${f.pairs}`);
      measured(f.ratioToOne, `evacuation of ${f.pairs} over one pair`);
      measured(f.throttledRequests, `429s during the evacuation of ${f.pairs}`);
      if (f.throttled) continue;
      // The floor beside each unthrottled size: the straight-line script on as many other pairs at once.
      measured(f.floorSeconds, `straight line on ${f.pairs} at once`);
      measured(f.floorRatioToOne, `straight line on ${f.pairs} at once over one`);
      measured(f.overFloor, `evacuation of ${f.pairs} over its floor`);
    }
    assert.equal(r.fleet.samples[0]!.length, 3);
    assert.ok(r.fleet.samples[0]!.every((e) => e.outcome === "succeeded"));
    assert.deepEqual(
      r.fleet.floorSamples[0]!.map((f) => f.pairs),
      [1, 2],
    );

    assert.deepEqual(
      r.hostCost.replay.map((c) => c.target),
      [100, 1000, 5000],
    );
    for (const c of r.hostCost.replay) measured(c.episodeMs, `replay at ${c.events} events`);
    assert.equal(typeof r.hostCost.replayExponent, "number");
    assert.equal(typeof r.hostCost.replayExponentMedian, "number");
    measured(r.hostCost.orchestrationsPerSecond, "orchestrations per second");

    assert.deepEqual(
      r.lab.map((l) => l.pairs),
      [1],
    );
    for (const l of r.lab) {
      measured(l.start, `lab start (${l.pairs})`);
      measured(l.stop, `lab stop (${l.pairs})`);
    }

    assert.equal(r.targets.length, 9);
    // Every target was measured in this run (met or not: the figures are not asserted).
    for (const target of r.targets) assert.equal(typeof target.met, "boolean", target.name);
    assert.match(r.targets.find((x) => /evacuation \/ one pair/.test(x.name))?.note ?? "", /straight-line script/);
  },
);
