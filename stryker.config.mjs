// Mutation testing (issue #23): `npm run mutation`. Mutates the modules whose mistakes do harm and runs only the
// fast tests (unit + orchestrator) against each mutant.
//
// Why the TAP runner over the compiled tests: the tests are node:test files that run from dist/ after tsc, and
// node:test speaks TAP. Stryker instruments src/**/*.ts in its sandbox (all mutants at once, switched by an
// environment variable), `buildCommand` compiles the sandbox once, and the TAP runner starts one node process per
// compiled test file. Its coverage is per test FILE (the runner treats a file as one test), so each mutant runs
// only the files that reach it: that is what makes the run affordable on 2 cores. The command runner would run
// every test for every mutant.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  plugins: ["@stryker-mutator/tap-runner"],
  testRunner: "tap",
  buildCommand: "npx tsc -p tsconfig.json",
  coverageAnalysis: "perTest",
  tap: {
    // codes-produced reads the TypeScript sources as text; in the sandbox they are instrumented.
    testFiles: ["dist/test/unit/!(codes-produced).test.js", "dist/test/orchestrator/*.test.js"],
  },
  mutate: [
    "src/domain/**/*.ts",
    // codes.ts is the operator's table of codes (prose) and the code that renders it: only the code is mutated.
    // The prose is checked byte for byte against docs/operations.md (test/unit/codes.test.ts); mutating its
    // ~400 strings would run every test file for each (module-level, "static" mutants) and double the run.
    "!src/domain/codes.ts",
    "src/domain/codes.ts:561-576",
    "src/activities/**/*.ts",
    "src/orchestrations/**/*.ts",
    "src/http/**/*.ts",
    "src/auth/**/*.ts",
    "src/audit/redact.ts",
  ],
  // Not needed to compile or run the fast tests; keeps the sandbox copy small. (infra/ stays: the readiness
  // unit test checks the app's permissions against infra/role.json. dist/ stays: the TAP runner names its tests by
  // their compiled files, and incremental mode forgets every test whose file is not in the project — a build
  // before the run, `npm run mutation:ci` does it; the sandbox compiles its own copy anyway.)
  ignorePatterns: ["/.lab", "/bench/results", "/test-results", "/.localhost-data", "*.log"],
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Incremental mode (`npm run mutation -- --incremental`) reuses this file: only mutants in changed code, or
  // covered by changed tests, run again.
  incrementalFile: "reports/stryker-incremental.json",
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
