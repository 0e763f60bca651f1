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
