// What `func azure functionapp publish` uploads is decided by .funcignore: local run histories (they hold
// run inputs and audit-worthy details), the lab, the tests and local settings must stay out.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

test(".funcignore keeps local host data, the lab, tests and local settings out of the package", () => {
  const root = join(__dirname, "..", "..", "..");
  const lines = readFileSync(join(root, ".funcignore"), "utf8")
    .split("\n")
    .map((l) => l.trim());
  // Anchored ("/…"): azd reads the file with git's rules too (test/package checks both readings in full).
  for (const entry of [
    "/.localhost-data/",
    "/local/",
    "/test/",
    "/dist/local/",
    "/dist/test/",
    "/local.settings.json",
  ]) {
    assert.ok(lines.includes(entry), `.funcignore lists ${entry}`);
  }
});
