// The per-module mutation scores the README reports and CI checks, and the merge of per-module Stryker runs into
// the incremental report CI starts from.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  belowThreshold,
  mergeReports,
  moduleOf,
  scoresByModule,
  survivorsLedger,
  type Report,
  type ReportMutant,
} from "../../local/mutation/scores";

const mutant = (id: string, status: string, coveredBy: string[] = [], killedBy: string[] = []): ReportMutant => ({
  id,
  status,
  coveredBy,
  killedBy,
});
/** A report of `files` (their source `// <name>` unless `sources` gives it) and the tests that ran. */
const report = (
  files: Record<string, ReportMutant[]>,
  tests: Record<string, string[]> = {},
  sources: Record<string, string> = {},
): Report => ({
  schemaVersion: "1.0",
  thresholds: { high: 90, low: 85 },
  files: Object.fromEntries(
    Object.entries(files).map(([f, m]) => [f, { source: sources[f] ?? `// ${f}`, language: "typescript", mutants: m }]),
  ),
  testFiles: Object.fromEntries(
    Object.entries(tests).map(([f, ids]) => [f, { tests: ids.map((id) => ({ id, name: f })) }]),
  ),
});

test("each file belongs to one listed module; redact alone of src/audit", () => {
  assert.equal(moduleOf("src/activities/preflight.ts"), "src/activities");
  assert.equal(moduleOf("src/orchestrations/kernel.ts"), "src/orchestrations");
  assert.equal(moduleOf("src/audit/redact.ts"), "src/audit/redact.ts");
  assert.equal(moduleOf("src/audit/journal.ts"), undefined);
  assert.equal(moduleOf("src/domainish/x.ts"), undefined);
});

test("score = killed + timeout over killed + timeout + survived + no coverage; ignored and errors not counted", () => {
  const r = report({
    "src/auth/a.ts": [
      mutant("1", "Killed"),
      mutant("2", "Killed"),
      mutant("3", "Timeout"),
      mutant("4", "Survived"),
      mutant("5", "NoCoverage"),
      mutant("6", "Ignored"),
      mutant("7", "CompileError"),
    ],
    "src/auth/b.ts": [mutant("8", "Killed"), mutant("9", "Killed"), mutant("10", "Killed")],
    "src/audit/journal.ts": [mutant("11", "Survived")],
  });
  const auth = scoresByModule(r).find((s) => s.module === "src/auth")!;
  assert.deepEqual(
    { ...auth, score: auth.score!.toFixed(2) },
    { module: "src/auth", mutants: 10, killed: 5, timeout: 1, survived: 1, noCoverage: 1, other: 2, score: "75.00" },
  );
  assert.equal(scoresByModule(r).find((s) => s.module === "src/domain")!.score, null, "not measured: no score");
  assert.deepEqual(
    belowThreshold(scoresByModule(r), 85).map((s) => s.module),
    ["src/auth"],
  );
  assert.deepEqual(belowThreshold(scoresByModule(r), 75), [], "75 % meets a 75 % threshold");
  assert.deepEqual(
    belowThreshold(scoresByModule(r), 85, { "src/auth": 75 }),
    [],
    "a module's floor replaces the target",
  );
  assert.deepEqual(
    belowThreshold(scoresByModule(r), 85, { "src/auth": 76 }).map((s) => s.module),
    ["src/auth"],
    "and is held",
  );
});

test("merging per-module runs renumbers test ids by test file, so coverage still names the right file", () => {
  // Run 1 (auth) numbered a.test as 0 and b.test as 1; run 2 (http) saw c.test first and b.test second.
  const auth = report(
    { "src/auth/x.ts": [mutant("0", "Killed", ["0", "1"], ["1"])] },
    { "a.test.js": ["0"], "b.test.js": ["1"] },
  );
  const http = report(
    { "src/http/y.ts": [mutant("0", "Survived", ["1"])] },
    { "c.test.js": ["0"], "b.test.js": ["1"] },
  );
  const merged = mergeReports([auth, http]);
  const nameOf = (id: string) =>
    Object.entries(merged.testFiles!).find(([, f]) => f.tests.some((t) => t.id === id))![0];
  const x = merged.files["src/auth/x.ts"]!.mutants[0]!;
  const y = merged.files["src/http/y.ts"]!.mutants[0]!;
  assert.deepEqual(x.coveredBy!.map(nameOf), ["a.test.js", "b.test.js"]);
  assert.deepEqual(x.killedBy!.map(nameOf), ["b.test.js"]);
  assert.deepEqual(y.coveredBy!.map(nameOf), ["b.test.js"]);
  assert.equal(Object.values(merged.testFiles!).flatMap((f) => f.tests).length, 3, "one test per test file");
  assert.deepEqual(
    scoresByModule(merged)
      .filter((s) => s.score !== null)
      .map((s) => [s.module, s.score]),
    [
      ["src/http", 0],
      ["src/auth", 100],
    ],
  );
});

test("a later run of the same file replaces the earlier one; a dangling test id is an error", () => {
  const before = report({ "src/auth/x.ts": [mutant("0", "Survived", ["0"])] }, { "a.test.js": ["0"] });
  const after = report({ "src/auth/x.ts": [mutant("0", "Killed", ["0"], ["0"])] }, { "a.test.js": ["0"] });
  assert.equal(mergeReports([before, after]).files["src/auth/x.ts"]!.mutants[0]!.status, "Killed");
  assert.throws(() => mergeReports([report({ "src/auth/x.ts": [mutant("0", "Killed", ["7"])] })]), /test 7/);
});

test("the survivors ledger lists each undetected mutant of a scored file with its line and code, and each equivalent one with its reason", () => {
  const src = "const a = 1;\nif (a > 0) f(`x`);\n";
  const at = (line: number) => ({ start: { line, column: 1 }, end: { line, column: 2 } });
  const r = report(
    {
      "src/domain/x.ts": [
        { id: "1", status: "Killed", location: at(1), mutatorName: "NumericLiteral", replacement: "0" },
        { id: "2", status: "Survived", location: at(2), mutatorName: "EqualityOperator", replacement: "a >= 0" },
        { id: "3", status: "NoCoverage", location: at(1), mutatorName: "NumericLiteral", replacement: "2" },
        {
          id: "4",
          status: "Ignored",
          location: at(2),
          mutatorName: "StringLiteral",
          replacement: '""',
          statusReason: "only a label",
        },
      ],
      "local/y.ts": [{ id: "5", status: "Survived" }],
    },
    {},
    { "src/domain/x.ts": src, "local/y.ts": "" },
  );
  const md = survivorsLedger(r);
  assert.match(md, /## Undetected: 1 survived, 1 reached by no test/);
  assert.match(
    md,
    /\| 1 \| no test \| NumericLiteral \| `` const a = 1; `` \| `` 2 `` \|\n\| 2 \| survived \| EqualityOperator \| `` if \(a > 0\) f\(`x`\); `` \| `` a >= 0 `` \|/,
  );
  assert.match(md, /## Equivalent: 1, each with the reason given in the source/);
  assert.match(md, /\| 2 \| StringLiteral \| `` "" `` \| only a label \|/);
  assert.ok(!md.includes("local/y.ts"), "files outside the scored modules are not listed");
  assert.ok(!md.includes("| NumericLiteral | `` 0 ``"), "killed mutants are not listed");
});

test("a survivor listed as equivalent moves to its own list with the reason; a listed entry that matches none is stale", () => {
  const src = "if (a > 0 && b > 0) f();\n";
  const at = (c1: number, c2: number) => ({ start: { line: 1, column: c1 }, end: { line: 1, column: c2 } });
  const r = report(
    {
      "src/domain/x.ts": [
        { id: "1", status: "Survived", location: at(5, 10), mutatorName: "EqualityOperator", replacement: "a >= 0" },
        { id: "2", status: "Survived", location: at(14, 19), mutatorName: "EqualityOperator", replacement: "b >= 0" },
      ],
    },
    {},
    { "src/domain/x.ts": src },
  );
  const md = survivorsLedger(r, [
    { file: "src/domain/x.ts", mutator: "EqualityOperator", code: "a > 0", became: "a >= 0", why: "a is never 0" },
    { file: "src/domain/x.ts", mutator: "EqualityOperator", code: "c > 0", became: "c >= 0", why: "gone" },
  ]);
  assert.match(md, /## Undetected: 1 survived, 0 reached by no test/);
  assert.match(md, /\| 1 \| survived \| EqualityOperator \| `` if \(a > 0 && b > 0\) f\(\); `` \| `` b >= 0 `` \|/);
  assert.match(md, /## Equivalent survivors: 1, each with the reason in reports\/mutation-equivalents.json/);
  assert.match(md, /\| 1 \| EqualityOperator \| `` a > 0 `` \| `` a >= 0 `` \| a is never 0 \|/);
  assert.match(
    md,
    /## Stale: 1 listed equivalent\(s\)[^\n]*\n\n- src\/domain\/x.ts EqualityOperator `` c > 0 `` → `` c >= 0 ``/,
  );
});
