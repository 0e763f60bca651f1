// `npm run bench [-- --runs N] [--quick] [--fleet] [--profile fast|azure [--seed N]] [--out DIR]`: measure, print the tables, write the JSON to
// bench/results/<timestamp>.json (or DIR) and print its path last.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseProfile } from "../lab/pace";
import { runBench } from "./bench";
import { renderReport } from "./table";

/** The repository root (this file runs from dist/local/bench). */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const USAGE =
  "usage: npm run bench -- [--runs N] [--quick] [--fleet] [--profile fast|azure [--seed N]] [--out DIR] [--quiet]\n";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      runs: { type: "string" },
      quick: { type: "boolean", default: false },
      fleet: { type: "boolean", default: false },
      profile: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE);
    return;
  }
  const runs = v.runs === undefined ? (v.quick ? 1 : 5) : Number(v.runs);
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error("--runs must be a whole number >= 1");
  const pace = parseProfile(v.profile, v.seed);
  const started = Date.now();
  const log = (line: string): void => {
    if (!v.quiet) process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  };
  const report = await runBench({
    runs,
    quick: v.quick,
    fleet: v.fleet,
    profile: pace.profile ?? "fast",
    ...(pace.seed !== undefined ? { seed: pace.seed } : {}),
    command: ["npm run bench", ...(argv.length ? ["--", ...argv] : [])].join(" "),
    log,
  });
  const dir = path.resolve(v.out ?? path.join(ROOT, "bench", "results"));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.startedAt.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  process.stdout.write(renderReport(report) + "\n\n");
  process.stdout.write(`results: ${file}\n`);
}

main().then(
  // Lab and host children are stopped by now; sockets the SDK clients keep alive must not hold the exit.
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`[bench] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
