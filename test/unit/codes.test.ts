// The codes a run ends with are one list (src/domain/codes.ts): docs/operations.md's table is rendered from it
// (npm run docs:settings), and every code the app's steps and runbooks can produce is in it — a code added in
// the code but not in the list (so not in the operator's table) fails here.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CODES_BEGIN, CODES_END } from "../../local/package/codes-reference";
import { redact } from "../../src/audit/redact";
import { CODES, KNOWN_CODES, renderCodesTable } from "../../src/domain/codes";

const ROOT = join(__dirname, "..", "..", "..");

test("docs/operations.md's table of steps and codes is the one src/domain/codes.ts renders", () => {
  const doc = readFileSync(join(ROOT, "docs", "operations.md"), "utf8");
  const begin = doc.indexOf(CODES_BEGIN);
  const end = doc.indexOf(CODES_END);
  assert.ok(begin >= 0 && end > begin, "docs/operations.md has the codes markers");
  const inDoc = doc
    .slice(begin + CODES_BEGIN.length, end)
    .replace(/<!--[^>]*-->/, "")
    .trim();
  assert.equal(inDoc, renderCodesTable(), "docs/operations.md is stale: run `npm run docs:settings`");
});

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

test("a step whose retries run out ends <Step>Failed: each such code is listed with its step", () => {
  for (const step of ["preflight", "confirm", "lowerTtl", "fence", "catchUp", "repoint", "verify"]) {
    const code = `${step.charAt(0).toUpperCase()}${step.slice(1)}Failed`;
    assert.ok(
      CODES.some((r) => r.step === step && r.codes.includes(code) && r.outcome === "failed"),
      `${code} for ${step}`,
    );
  }
});

test("every listed code survives redaction: GET /api/failovers shows the operator the code the table explains", () => {
  const masked = [...KNOWN_CODES].filter(
    (code) => (redact({ result: { code } }) as { result: { code: string } }).result.code !== code,
  );
  assert.deepEqual(masked, []);
});
