// Every code the app's steps and runbooks can produce is in src/domain/codes.ts — a code added in the code but not
// in the list (so not in the operator's table) fails here. It reads the TypeScript sources, so it is left out of
// mutation testing (stryker.config.mjs): Stryker's sandbox holds instrumented sources, not the ones written.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { KNOWN_CODES } from "../../src/domain/codes";

const ROOT = join(__dirname, "..", "..", "..");

/** Codes the runbooks and steps produce, read from their sources: refusals and Stops with a literal code. */
function producedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
    });
  const files = [
    ...walk(join(ROOT, "src", "activities")),
    ...walk(join(ROOT, "src", "orchestrations")),
    ...walk(join(ROOT, "src", "domain")).filter((f) => !/(approval|codes)\.ts$/.test(f)),
  ];
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/code: "([A-Z][A-Za-z]+)"|new Stop\(\s*"[a-zA-Z]+",\s*"([A-Z][A-Za-z]+)"/g))
      found.set(m[1] ?? m[2]!, f.slice(ROOT.length + 1));
  }
  return found;
}

test("every code a step or runbook produces is in the list (and so in the operator's table)", () => {
  const produced = producedCodes();
  assert.ok(produced.size >= 20, `found ${produced.size} codes in the sources`);
  const missing = [...produced].filter(([c]) => !KNOWN_CODES.has(c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(missing, [], "codes missing from src/domain/codes.ts");
});
