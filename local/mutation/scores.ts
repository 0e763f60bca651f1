// Mutation scores per module (issue #23) from Stryker's JSON report, and the merge of per-module reports into
// one incremental file. Pure functions: the CLI (cli.ts) does the I/O.
//
// The report is Stryker's mutation-testing-report-schema (`reports/mutation/mutation.json`, and the
// incremental file it reads back). Score = detected / valid, as Stryker counts it: killed + timeout over
// killed + timeout + survived + no coverage; ignored mutants and compile or runtime errors are not counted.

export interface ReportMutant {
  id: string;
  status: string;
  coveredBy?: string[];
  killedBy?: string[];
  [k: string]: unknown;
}
export interface ReportFile {
  source: string;
  language: string;
  mutants: ReportMutant[];
}
export interface ReportTest {
  id: string;
  name: string;
  [k: string]: unknown;
}
export interface Report {
  schemaVersion: string;
  thresholds: { high: number; low: number };
  files: Record<string, ReportFile>;
  testFiles?: Record<string, { tests: ReportTest[]; source?: string }>;
  [k: string]: unknown;
}

/** The modules whose mistakes do harm, each scored on its own (the issue's list, in its order). */
export const MODULES: { name: string; matches: (file: string) => boolean }[] = [
  { name: "src/domain", matches: (f) => f.startsWith("src/domain/") },
  { name: "src/activities", matches: (f) => f.startsWith("src/activities/") },
  { name: "src/orchestrations", matches: (f) => f.startsWith("src/orchestrations/") },
  { name: "src/http", matches: (f) => f.startsWith("src/http/") },
  { name: "src/auth", matches: (f) => f.startsWith("src/auth/") },
  { name: "src/audit/redact.ts", matches: (f) => f === "src/audit/redact.ts" },
];

export interface ModuleScore {
  module: string;
  mutants: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Ignored, compile and runtime errors: not counted in the score. */
  other: number;
  /** Percent, or null when the report has no valid mutant of the module. */
  score: number | null;
}

export function moduleOf(file: string): string | undefined {
  return MODULES.find((m) => m.matches(file.replace(/\\/g, "/")))?.name;
}

export function scoresByModule(report: Report): ModuleScore[] {
  return MODULES.map(({ name, matches }) => {
    const s: ModuleScore = {
      module: name,
      mutants: 0,
      killed: 0,
      timeout: 0,
      survived: 0,
      noCoverage: 0,
      other: 0,
      score: null,
    };
    for (const [file, f] of Object.entries(report.files)) {
      if (!matches(file)) continue;
      for (const m of f.mutants) {
        s.mutants++;
        if (m.status === "Killed") s.killed++;
        else if (m.status === "Timeout") s.timeout++;
        else if (m.status === "Survived") s.survived++;
        else if (m.status === "NoCoverage") s.noCoverage++;
        else s.other++;
      }
    }
    const valid = s.killed + s.timeout + s.survived + s.noCoverage;
    s.score = valid === 0 ? null : (100 * (s.killed + s.timeout)) / valid;
    return s;
  });
}

/**
 * The modules under their threshold (a module the report does not cover is not judged here): `min`, or the
 * module's own floor where one is given (a ratchet: the score last measured, while it is under the target).
 */
export function belowThreshold(scores: ModuleScore[], min: number, floors: Record<string, number> = {}): ModuleScore[] {
  return scores.filter((s) => s.score !== null && s.score < (floors[s.module] ?? min));
}

/**
 * One report from several (one Stryker run per module): every source file from the report that measured it
 * last (later reports win), and the test files renumbered. Test ids are per run (the TAP runner numbers its
 * test files 0, 1, …), so each mutant's coveredBy/killedBy is translated through its own report's test names.
 */
export function mergeReports(reports: Report[]): Report {
  if (reports.length === 0) throw new RangeError("nothing to merge");
  const globalId = new Map<string, string>();
  const idFor = (name: string) => {
    if (!globalId.has(name)) globalId.set(name, String(globalId.size));
    return globalId.get(name)!;
  };
  const testFiles: NonNullable<Report["testFiles"]> = {};
  const files: Report["files"] = {};
  for (const r of reports) {
    const nameById = new Map<string, string>();
    for (const [fileName, tf] of Object.entries(r.testFiles ?? {}))
      for (const t of tf.tests) {
        nameById.set(t.id, t.name);
        const id = idFor(t.name);
        const tests = (testFiles[fileName] ??= { tests: [] }).tests;
        if (!tests.some((x) => x.id === id)) tests.push({ ...t, id });
      }
    const translate = (ids?: string[]) =>
      ids?.map((id) => {
        const name = nameById.get(id);
        if (name === undefined) throw new Error(`a mutant refers to test ${id}, which its report does not list`);
        return idFor(name);
      });
    for (const [file, f] of Object.entries(r.files))
      files[file] = {
        ...f,
        mutants: f.mutants.map((m) => ({
          ...m,
          ...(m.coveredBy ? { coveredBy: translate(m.coveredBy) } : {}),
          ...(m.killedBy ? { killedBy: translate(m.killedBy) } : {}),
        })),
      };
  }
  return { ...reports.at(-1)!, files, testFiles };
}

export function renderScores(scores: ModuleScore[]): string {
  const rows = scores.map(
    (s) =>
      `| \`${s.module}\` | ${s.mutants} | ${s.killed + s.timeout} | ${s.survived} | ${s.noCoverage} | ${
        s.score === null ? "–" : `**${s.score.toFixed(1)} %**`
      } |`,
  );
  return [
    "| module | mutants | killed (incl. timeout) | survived | no coverage | score |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/**
 * A surviving mutant judged equivalent, with why (reports/mutation-equivalents.json). For a line where one mutant
 * of a mutator is equivalent and another is not (a disable comment would hide both): it stays a survivor in the
 * score, and the ledger gives its reason. Matched by file, mutator, the code it mutates and what it became (not by
 * line, which moves).
 */
export interface ListedEquivalent {
  file: string;
  mutator: string;
  code: string;
  became: string;
  why: string;
}

/** The source text a mutant replaces (its first line, when it spans several). */
export function mutatedCode(source: string, m: ReportMutant): string {
  const loc = (m as { location?: { start: { line: number; column: number }; end: { line: number; column: number } } })
    .location;
  if (!loc) return "";
  const line = source.split("\n")[loc.start.line - 1] ?? "";
  return loc.start.line === loc.end.line
    ? line.slice(loc.start.column - 1, loc.end.column - 1)
    : line.slice(loc.start.column - 1);
}

/**
 * The ledger of what mutation testing did not catch (reports/mutation-survivors.md): per scored file, each mutant
 * that survived or that no test reaches, with its line, mutator, the code and what it became; then the mutants
 * judged equivalent — marked in the source (`// Stryker disable next-line <mutator>: <why>`), or survivors listed
 * in reports/mutation-equivalents.json — each with its reason; then listed entries that match no survivor (stale).
 */
export function survivorsLedger(report: Report, listed: readonly ListedEquivalent[] = []): string {
  // Code spans that may hold backticks themselves (template literals): a double-backtick span.
  const inline = (code: string) => (code === "" ? "(empty)" : `\`\` ${code} \`\``);
  const out: string[] = [];
  const undetected: string[] = [];
  const ignored: string[] = [];
  const explained: string[] = [];
  const used = new Set<ListedEquivalent>();
  const counts = { survived: 0, noCoverage: 0, ignored: 0, listed: 0 };
  for (const [file, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    if (!moduleOf(file)) continue;
    const lines = f.source.split("\n");
    const lineOf = (m: ReportMutant) => (m as { location?: { start: { line: number } } }).location?.start.line ?? 0;
    const row = (m: ReportMutant) => {
      const loc = lineOf(m);
      const code = (lines[loc - 1] ?? "").trim().replace(/\|/g, "\\|").slice(0, 120);
      const into = String((m as { replacement?: string }).replacement ?? "")
        .replace(/\s+/g, " ")
        .replace(/\|/g, "\\|")
        .slice(0, 80);
      return { loc, code, into, mutator: String((m as { mutatorName?: string }).mutatorName ?? "") };
    };
    const sorted = [...f.mutants].sort((a, b) => lineOf(a) - lineOf(b));
    const listingOf = (m: ReportMutant) => {
      const e = listed.find(
        (x) =>
          x.file === file &&
          x.mutator === (m as { mutatorName?: string }).mutatorName &&
          x.became === (m as { replacement?: string }).replacement &&
          x.code === mutatedCode(f.source, m),
      );
      if (e) used.add(e);
      return e;
    };
    const undetectedHere = sorted.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    const listing = new Map(undetectedHere.map((m) => [m, listingOf(m)]));
    const live = undetectedHere.filter((m) => !listing.get(m));
    const judged = undetectedHere.filter((m) => listing.get(m));
    if (judged.length) {
      explained.push(
        `\n### ${file}\n\n| line | mutator | code | became | why it is equivalent |\n|---|---|---|---|---|`,
      );
      for (const m of judged) {
        const r = row(m);
        const e = listing.get(m)!; // its code is the mutated code: that is how it matched
        counts.listed++;
        explained.push(
          `| ${r.loc} | ${r.mutator} | ${inline(e.code.replace(/\|/g, "\\|"))} | ${inline(r.into)} | ${e.why.replace(/\|/g, "\\|")} |`,
        );
      }
    }
    if (live.length) {
      undetected.push(`\n### ${file}\n\n| line | status | mutator | code | became |\n|---|---|---|---|---|`);
      for (const m of live) {
        const r = row(m);
        if (m.status === "Survived") counts.survived++;
        else counts.noCoverage++;
        undetected.push(
          `| ${r.loc} | ${m.status === "Survived" ? "survived" : "no test"} | ${r.mutator} | ${inline(r.code)} | ${inline(r.into)} |`,
        );
      }
    }
    const eq = sorted.filter((m) => m.status === "Ignored");
    if (eq.length) {
      ignored.push(`\n### ${file}\n\n| line | mutator | became | why it is equivalent |\n|---|---|---|---|`);
      for (const m of eq) {
        const r = row(m);
        counts.ignored++;
        const why = String((m as { statusReason?: string }).statusReason ?? "").replace(/\|/g, "\\|");
        ignored.push(`| ${r.loc} | ${r.mutator} | ${inline(r.into)} | ${why} |`);
      }
    }
  }
  const stale = listed.filter((e) => !used.has(e));
  out.push(
    "# Mutants no test catches",
    "",
    "Written by `npm run mutation:ci` (or `npm run mutation:survivors`) from `reports/mutation/mutation.json`. Each",
    "undetected mutant is a change to the code that no fast test notices: kill it with a test, or, when it cannot",
    "change behaviour, mark it in the source with `// Stryker disable next-line <mutator>: <why it is equivalent>`",
    "so it moves to the equivalent lists with its reason — or, when another mutant of that mutator on the same line",
    "is not equivalent (the comment would hide it too), list it in `reports/mutation-equivalents.json`: it still",
    "counts as survived in the score.",
    "",
    `## Undetected: ${counts.survived} survived, ${counts.noCoverage} reached by no test`,
    ...undetected,
    "",
    `## Equivalent: ${counts.ignored}, each with the reason given in the source`,
    ...ignored,
    "",
    `## Equivalent survivors: ${counts.listed}, each with the reason in reports/mutation-equivalents.json`,
    ...explained,
    "",
    ...(stale.length
      ? [
          `## Stale: ${stale.length} listed equivalent(s) match no surviving mutant (killed, or the code changed): remove them`,
          "",
          ...stale.map((e) => `- ${e.file} ${e.mutator} ${inline(e.code)} → ${inline(e.became)}`),
          "",
        ]
      : []),
  );
  return out.join("\n");
}
