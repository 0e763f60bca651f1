// Lint: typescript-eslint's recommended rules plus the type-aware ones that catch real bugs here
// (a promise nobody awaits can drop an audit entry or hide a failed ARM call).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test/fixtures/**/*.js", "**/*.mjs", ".stryker-tmp/", "reports/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's test()/describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/no-explicit-any": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  {
    // Layers: the orchestrations replay, so they decide from their input and activity results only; they may
    // name the activities' types and the catalog, never reach an adapter, the SDKs or Node's I/O themselves.
    files: ["src/orchestrations/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "../azure/*",
                "../probe/*",
                "../state/*",
                "../app/*",
                "../functions/*",
                "../http/*",
                "../config/*",
              ],
              allowTypeImports: true,
              message: "orchestrations replay: do I/O in an activity, pass its result in",
            },
            {
              group: ["../activities/*", "!../activities/catalog"],
              allowTypeImports: true,
              message: "orchestrations call activities through the catalog only",
            },
            { group: ["node:*", "pg", "@azure/*"], message: "orchestrations replay: no I/O" },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure decisions: no adapter, no setting, no I/O — so it is unit-tested without any.
    files: ["src/domain/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["../*"], message: "src/domain depends on nothing else in src" },
            { group: ["node:*", "pg", "@azure/*", "durable-functions"], message: "src/domain does no I/O" },
          ],
        },
      ],
    },
  },
  {
    // The status page: plain ES modules run by the browser as they are (no build step).
    files: ["src/ui/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: Object.fromEntries(
        ["document", "window", "location", "fetch", "setTimeout", "clearTimeout", "Node"].map((g) => [g, "readonly"]),
      ),
    },
  },
);
