#!/usr/bin/env node
// `npm run docs:settings`: rewrites the README's configuration reference (between the settings markers) from
// src/config. Prints whether anything changed.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { withSettingsReference } from "./settings-reference";

const readme = join(resolve(__dirname, "..", "..", ".."), "README.md");
const before = readFileSync(readme, "utf8");
const after = withSettingsReference(before);
if (after === before) process.stdout.write("docs:settings: README.md is up to date\n");
else {
  writeFileSync(readme, after);
  process.stdout.write("docs:settings: README.md configuration reference rewritten\n");
}
