#!/usr/bin/env node
// `npm run docs:settings`: rewrites the README's configuration reference (between the settings markers) from
// src/config, and docs/operations.md's table of steps and codes from src/domain/codes.ts. Prints what changed.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { withCodesTable } from "./codes-reference";
import { withSettingsReference } from "./settings-reference";

const root = resolve(__dirname, "..", "..", "..");
for (const [file, rewrite] of [
  ["README.md", withSettingsReference],
  [join("docs", "operations.md"), withCodesTable],
] as const) {
  const path = join(root, file);
  const before = readFileSync(path, "utf8");
  const after = rewrite(before);
  if (after === before) process.stdout.write(`docs:settings: ${file} is up to date\n`);
  else {
    writeFileSync(path, after);
    process.stdout.write(`docs:settings: ${file} rewritten\n`);
  }
}
