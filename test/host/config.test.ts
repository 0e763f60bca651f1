// Unit tests of the host's configuration pieces, plus start-up refusal of an app without functions.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parseArgs } from "../../local/host/cli-args";
import { parseTimeSpan, readHostJson, resolveMainFiles } from "../../local/host/config";
import { applySettings } from "../../local/host/env";
import { nextRetryDelay, toRetryPolicy } from "../../local/host/retry";
import { compileRoute } from "../../local/host/routes";
import { spawnHost } from "../../local/host/spawn";
import { removeDir, startFixtureHost, startOrchestration, tempDir, waitForStatus } from "./helpers";

describe("routes", () => {
  it("matches literals, parameters, optional parameters and constraints", () => {
    const r = compileRoute("orchestrators/{name}/{id?}");
    assert.deepEqual(r.match("/orchestrators/chain"), { name: "chain" });
    assert.deepEqual(r.match("/orchestrators/chain/42"), { name: "chain", id: "42" });
    assert.equal(r.match("/orchestrators"), null);
    assert.equal(r.match("/orchestrators/a/b/c"), null);
    const c = compileRoute("items/{id:int}/{flag:bool?}");
    assert.deepEqual(c.match("/items/7"), { id: "7" });
    assert.equal(c.match("/items/x"), null);
    assert.deepEqual(c.match("/ITEMS/7/true"), { id: "7", flag: "true" }, "literals are case-insensitive");
    assert.deepEqual(compileRoute("files/{*rest}").match("/files/a/b%20c"), { rest: "a/b c" });
    assert.deepEqual(compileRoute("v/{n:minlength(2):alpha}").match("/v/ab"), { n: "ab" });
    assert.equal(compileRoute("v/{n:minlength(2):alpha}").match("/v/a"), null);
    assert.throws(() => compileRoute("x/{id:nonsense}").match("/x/1"), /unknown constraint "nonsense"/);
  });

  it("orders literal routes before parameter routes", () => {
    assert.ok(compileRoute("items/special").specificity > compileRoute("items/{id}").specificity);
  });
});

describe("config", () => {
  it("parses TimeSpans", () => {
    assert.equal(parseTimeSpan("00:10:00"), 600_000);
    assert.equal(parseTimeSpan("00:00:01.500"), 1500);
    assert.equal(parseTimeSpan("1.02:00:00"), 26 * 3_600_000);
    assert.throws(() => parseTimeSpan("10 minutes"), /Cannot parse TimeSpan/);
  });

  it("reads host.json with defaults", () => {
    const dir = tempDir("hostjson");
    try {
      assert.deepEqual(readHostJson(dir), {
        functionTimeoutMs: null,
        hubName: "TestHubName",
        routePrefix: "api",
        maxConcurrentActivityFunctions: 10,
        overridableExistingInstanceStates: "NonRunningStates",
      });
      writeFileSync(
        join(dir, "host.json"),
        JSON.stringify({
          functionTimeout: "00:05:00",
          extensions: {
            durableTask: {
              hubName: "H",
              maxConcurrentActivityFunctions: 3,
              overridableExistingInstanceStates: "AnyState",
            },
            http: { routePrefix: "/x/" },
          },
        }),
      );
      assert.deepEqual(readHostJson(dir), {
        functionTimeoutMs: 300_000,
        hubName: "H",
        routePrefix: "x",
        maxConcurrentActivityFunctions: 3,
        overridableExistingInstanceStates: "AnyState",
      });
    } finally {
      removeDir(dir);
    }
  });

  it("expands a * glob in package.json main", () => {
    const dir = tempDir("glob");
    try {
      mkdirSync(join(dir, "out"));
      for (const f of ["b.js", "a.js", "c.js.map", "d.txt"]) writeFileSync(join(dir, "out", f), "");
      writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "out/*.js" }));
      assert.deepEqual(resolveMainFiles(dir), [join(dir, "out/a.js"), join(dir, "out/b.js")]);
      writeFileSync(join(dir, "package.json"), JSON.stringify({ main: "missing/*.js" }));
      assert.throws(() => resolveMainFiles(dir), /does not exist; build the app first/);
    } finally {
      removeDir(dir);
    }
  });

  it("applies settings Values without overriding variables already in the environment (like func)", () => {
    const env: NodeJS.ProcessEnv = { KEEP: "env" };
    const notes: string[] = [];
    applySettings({ KEEP: "file", NEW: "file" }, env, (m) => notes.push(m));
    assert.deepEqual(env, { KEEP: "env", NEW: "file" });
    assert.equal(notes.length, 1);
    assert.ok(!notes[0]!.includes("file"), "values are not logged");
  });

  it("computes retry delays like DTFx (backoff, cap, retry timeout)", () => {
    const p = toRetryPolicy({
      firstRetryIntervalInMilliseconds: 100,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 2,
      maxRetryIntervalInMilliseconds: 350,
      retryTimeoutInMilliseconds: 1000,
    });
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => nextRetryDelay(p, n, 0, 10)),
      [100, 200, 350, 350],
    );
    assert.equal(nextRetryDelay(p, 0, 0, 1000), 0, "retry timeout expired");
    const d = toRetryPolicy({ firstRetryIntervalInMilliseconds: 50, maxNumberOfAttempts: 2 });
    // The extension's defaults: backoff 1, MaxRetryInterval 6 days (RetryOptions.DefaultMaxRetryinterval), no timeout.
    assert.deepEqual([d.backoffCoefficient, d.maxRetryIntervalMs, d.retryTimeoutMs], [1, 6 * 86_400_000, Infinity]);
    const huge = toRetryPolicy({
      firstRetryIntervalInMilliseconds: 3_600_000,
      maxNumberOfAttempts: 9,
      backoffCoefficient: 10,
    });
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => nextRetryDelay(huge, n, 0, 0)),
      [3_600_000, 36_000_000, 360_000_000, 6 * 86_400_000],
      "without maxRetryIntervalInMilliseconds the delay is capped at 6 days",
    );
    // A field that is present is taken as it is (RetryOptionsConverter): a zero timeout means no retry.
    assert.equal(
      nextRetryDelay(
        toRetryPolicy({ firstRetryIntervalInMilliseconds: 5, maxNumberOfAttempts: 3, retryTimeoutInMilliseconds: 0 }),
        0,
        0,
        0,
      ),
      0,
    );
  });

  it("parses CLI flags", () => {
    assert.deepEqual(
      parseArgs(["--app", "a", "--port", "0", "--virtual-clock", "--json", "--data", "d", "--settings", "s"]),
      { json: true, help: false, appDir: "a", port: 0, virtualClock: true, dataDir: "d", settingsFile: "s" },
    );
    assert.deepEqual(parseArgs(["--port=0", "-h"]), { json: false, help: true, port: 0 });
    assert.throws(() => parseArgs(["--port", "x"]), /--port must be 0..65535/);
    assert.throws(() => parseArgs(["--port", "70000"]), /--port must be 0..65535/);
    assert.throws(() => parseArgs(["--bogus"]), /Unknown option '--bogus'/);
    assert.throws(() => parseArgs(["--app"]), /'--app <value>' argument missing/);
    assert.throws(() => parseArgs(["--app", "--json"]), /'--app' argument is ambiguous/);
    assert.throws(() => parseArgs(["stray"]), /Unexpected argument 'stray'/);
  });
});

describe("start-up", () => {
  it("refuses to start an app that registers no functions, with a clear message", async () => {
    const data = tempDir("empty");
    try {
      await assert.rejects(
        spawnHost({ appDir: resolve(__dirname, "../../../test/fixtures/host-app-empty"), dataDir: data }),
        /registered no functions/,
      );
    } finally {
      removeDir(data);
    }
  });

  it("runs at most maxConcurrentActivityFunctions (4) activities at once", async () => {
    const h = await startFixtureHost();
    const marks = tempDir("burst");
    try {
      const s = await startOrchestration(h, "burst", { dir: marks, n: 8 });
      const r = await waitForStatus(s.statusQueryGetUri);
      assert.equal(r.body.output.length, 8);
      const spans = readdirSync(marks)
        .filter((f) => f.endsWith(".started"))
        .map((f) => {
          const step = f.replace(".started", "");
          const t = (name: string) => Number(readFileSync(join(marks, name), "utf8").trim().split(" ")[1]);
          return [t(`${step}.started`), t(`${step}.completed`)] as const;
        });
      const maxOverlap = Math.max(...spans.map(([s0]) => spans.filter(([a, b]) => a <= s0 && s0 < b).length));
      assert.equal(spans.length, 8);
      assert.ok(maxOverlap <= 4, `overlap ${maxOverlap}`);
      assert.ok(maxOverlap >= 2, `activities should run concurrently (overlap ${maxOverlap})`);
    } finally {
      await h.stop();
      removeDir(h.dataDir);
      removeDir(marks);
    }
  });
});
