// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's runner takes no globs, so the files are listed here. Pass paths or
// substrings to run a subset: `node test/run.mjs lab` runs files whose path contains "lab".
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";

const root = new URL("../dist/test/", import.meta.url).pathname;
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".test.js") ? [p] : [];
  });
// Arguments starting with "--" go to node's test runner (e.g. --test-reporter=./test/file-times.mjs); others filter.
const runnerFlags = process.argv.slice(2).filter((a) => a.startsWith("--"));
const filters = process.argv.slice(2).filter((a) => !a.startsWith("--"));
// Slowest folders first (each of their files starts labs and hosts): the runner takes files in this order, so the
// long ones overlap the many short ones instead of ending the run alone. New files join their folder's place.
const FIRST = ["bench/", "e2e/", "lab/", "package/", "ui/", "host/"];
const rank = (f) => {
  const k = FIRST.findIndex((d) => relative(root, f).startsWith(d));
  return k < 0 ? FIRST.length : k;
};
const files = walk(root)
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error(
    `no test files under ${root}${filters.length ? ` matching ${filters.join(", ")}` : ""}; run "npm run build" first`,
  );
  process.exit(1);
}
// Four files at once on 2 cores: most of an e2e file's time is waiting (durable timers, LRO polls, the drain), so
// two at a time left the CPU idle a third of the run (8 min); four keep it busy (about 5.5 min).
const concurrency = process.env.TEST_CONCURRENCY ?? "4";
// Node 20's --test-timeout bounds each test FILE (its process is one test of the runner): a file that hangs,
// in a test or by a leaked server keeping its process alive, fails by name instead of stalling the run.
// Lab tests also carry their own per-test timeout (test/lab/timeouts.ts) so a hang names the test.
const timeout = process.env.TEST_FILE_TIMEOUT_MS ?? "240000";
// Labs, hosts and packages write thousands of small files (PostgreSQL clusters, base backups, instance stores): in
// memory (/dev/shm) they cost a fraction of what the disk charges a busy machine. An explicit TMPDIR wins.
const env = { ...process.env };
if (!env.TMPDIR && process.platform === "linux") {
  try {
    accessSync("/dev/shm", constants.W_OK);
    env.TMPDIR = "/dev/shm";
  } catch {
    /* no /dev/shm here: the OS temp dir */
  }
}
// One Azurite for the whole run when files start labs: each lab gets its own tables there instead of an Azurite
// process of its own (about 1 s of CPU each, dozens of stacks). PGFLEX_LAB_SHARED_AZURITE_PORT tells the labs.
const needsAzurite = files.some((f) => !/^(unit|orchestrator|infra)\//.test(relative(root, f)));
const azurite = needsAzurite && !env.PGFLEX_LAB_SHARED_AZURITE_PORT ? await startAzurite() : undefined;
if (azurite) env.PGFLEX_LAB_SHARED_AZURITE_PORT = String(azurite.port);
const r = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    ["--test", `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...runnerFlags, ...files],
    { stdio: "inherit", env },
  );
  child.on("exit", (code, signal) => resolve({ status: code ?? (signal ? 1 : 0) }));
});
azurite?.child.kill("SIGKILL");
process.exit(r.status ?? 1);

/** Azurite's Table service on a free loopback port, in memory; resolves once it listens. */
async function startAzurite() {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("azurite/package.json"));
  const bin = join(dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).bin["azurite-table"]);
  for (let attempt = 0; ; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
      srv.on("error", reject);
    });
    const child = spawn(
      process.execPath,
      [
        bin,
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        String(port),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
      ],
      { cwd: tmpdir(), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AZURITE_ACCOUNTS: undefined } },
    );
    const started = await new Promise((resolve) => {
      let out = "";
      const timer = setTimeout(() => resolve(`did not start within 30 s: ${out}`), 30_000);
      const take = (b) => {
        out += b.toString();
        if (/successfully (listening|started)/i.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      child.stdout.on("data", take);
      child.stderr.on("data", take);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(`exited with ${code}: ${out}`);
      });
    });
    if (started === true) {
      child.stdout.resume();
      child.stderr.resume();
      process.on("exit", () => child.kill("SIGKILL"));
      return { port, child };
    }
    child.kill("SIGKILL");
    if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(started)) {
      console.error(`the test run's Azurite ${started}`);
      process.exit(1);
    }
  }
}
