// `npm run mutation:scores [-- REPORT] [--min N]`: the mutation score per module from a Stryker JSON report
// (default reports/mutation/mutation.json); exits 1 when a module is under N (default 85).
// `npm run mutation:survivors [-- REPORT]`: reports/mutation-survivors.md, the mutants no test catches and the ones
// the sources mark equivalent (ci writes it too).
// `npm run mutation:merge -- OUT IN...`: one incremental report from per-module runs (see scores.ts).
// `npm run mutation:ci`: Stryker in incremental mode against the landed reports/stryker-incremental.json, then
// the per-module check — what `.ci/run` runs (a full run takes hours on 2 cores; this re-tests only mutants
// whose code changed, or that a new test file covers, and reuses the rest).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  belowThreshold,
  mergeReports,
  renderScores,
  scoresByModule,
  survivorsLedger,
  type ListedEquivalent,
  type Report,
} from "./scores";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const DEFAULT_REPORT = path.join(ROOT, "reports", "mutation", "mutation.json");
const INCREMENTAL = path.join(ROOT, "reports", "stryker-incremental.json");
/** Per-module floors for modules still under the target: `{ "src/activities": 60, … }` (a ratchet, see README). */
const FLOORS = path.join(ROOT, "reports", "mutation-floors.json");
/** The ledger of undetected and equivalent mutants, rewritten from the report by `ci` and `survivors`. */
const LEDGER = path.join(ROOT, "reports", "mutation-survivors.md");

/** Survivors judged equivalent where a disable comment would hide other mutants of its line (see scores.ts). */
const EQUIVALENTS = path.join(ROOT, "reports", "mutation-equivalents.json");

function writeLedger(file: string): void {
  const listed = fs.existsSync(EQUIVALENTS)
    ? (JSON.parse(fs.readFileSync(EQUIVALENTS, "utf8")) as ListedEquivalent[])
    : [];
  fs.writeFileSync(LEDGER, survivorsLedger(read(file), listed));
  process.stdout.write(`${path.relative(ROOT, LEDGER)} written\n`);
}

const read = (file: string): Report => JSON.parse(fs.readFileSync(file, "utf8")) as Report;

function check(file: string, min: number, requireAll: boolean): number {
  const scores = scoresByModule(read(file));
  const floors = fs.existsSync(FLOORS) ? (JSON.parse(fs.readFileSync(FLOORS, "utf8")) as Record<string, number>) : {};
  process.stdout.write(`${renderScores(scores)}\n`);
  const low = belowThreshold(scores, min, floors);
  const missing = requireAll ? scores.filter((s) => s.score === null) : [];
  for (const s of low)
    process.stderr.write(
      `mutation: ${s.module} scores ${s.score!.toFixed(1)} %, under ${floors[s.module] ?? min} %${s.module in floors ? " (its floor: the score it had)" : ""}\n`,
    );
  for (const s of missing) process.stderr.write(`mutation: ${s.module} has no mutant in ${file}\n`);
  return low.length + missing.length === 0 ? 0 : 1;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  const minAt = rest.indexOf("--min");
  const min = minAt >= 0 ? Number(rest.splice(minAt, 2)[1]) : 85;
  if (!(min >= 0 && min <= 100)) throw new Error("--min takes a percentage");
  if (cmd === "scores") return check(rest[0] ?? DEFAULT_REPORT, min, false);
  if (cmd === "survivors") {
    writeLedger(rest[0] ?? DEFAULT_REPORT);
    return 0;
  }
  if (cmd === "merge") {
    const [out, ...inputs] = rest;
    if (!out || inputs.length === 0) throw new Error("usage: merge OUT IN...");
    fs.writeFileSync(out, JSON.stringify(mergeReports(inputs.map(read))));
    process.stdout.write(`${out}: ${inputs.length} report(s) merged\n`);
    return 0;
  }
  if (cmd === "ci") {
    if (!fs.existsSync(INCREMENTAL)) throw new Error(`${INCREMENTAL} is missing: merge the per-module reports first`);
    const r = spawnSync(
      "npx",
      ["stryker", "run", "stryker.config.mjs", "--incremental", "--reporters", "clear-text,json", ...rest],
      { cwd: ROOT, stdio: "inherit" },
    );
    if (r.status !== 0) return r.status ?? 1;
    writeLedger(DEFAULT_REPORT);
    return check(DEFAULT_REPORT, min, true);
  }
  throw new Error("usage: cli.js scores [REPORT] [--min N] | survivors [REPORT] | merge OUT IN... | ci [--min N]");
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`mutation: ${(e as Error).message}\n`);
  process.exit(2);
}
