// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's runner takes no globs, so the files are listed here. Pass paths or
// substrings to run a subset: `node test/run.mjs lab` runs files whose path contains "lab".
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

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
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
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
const r = spawnSync(
  process.execPath,
  ["--test", `--test-concurrency=${concurrency}`, `--test-timeout=${timeout}`, ...runnerFlags, ...files],
  { stdio: "inherit", env },
);
process.exit(r.status ?? 1);
