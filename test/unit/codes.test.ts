// The codes a run ends with are one list (src/domain/codes.ts): docs/operations.md's table is rendered from it
// (npm run docs:settings). That every code the steps and runbooks produce is listed: codes-produced.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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
