// What a person following a run is told, kept as reviewed text: every driven run of a test file is written as a
// transcript (the status lines in order, each activity call with what it was asked, and the run's result) and
// compared with test/orchestrator/transcripts/<file>.txt. A change to what an operator reads at 3 a.m. — a
// status line, a refusal's reason, an audit summary, a note on where the CNAME was left — is then a diff someone
// reviews, not an accident. `UPDATE_TRANSCRIPTS=1 node test/run.mjs orchestrator` rewrites the files.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, beforeEach } from "node:test";
import { onDriven, type Driven } from "./harness";

/** The transcripts live beside the sources (tests run from dist/test/orchestrator). */
const DIR = resolve(__dirname, "../../../test/orchestrator/transcripts");

/** Values that differ between runs of the same scenario (a decision's random nonce). */
const scrub = (text: string) => text.replace(/\b[0-9a-f]{48}\b/g, "<nonce>");

export function transcript(d: Driven<unknown>): string {
  const lines: string[] = [];
  for (const s of d.statuses) lines.push(`status  ${s.step}: ${s.message}`);
  for (const c of d.calls)
    lines.push(
      `call    +${c.atMs}ms ${c.key}${c.attempt > 1 ? ` (attempt ${c.attempt})` : ""} ${JSON.stringify(c.input)}`,
    );
  lines.push(`result  ${JSON.stringify(d.output, null, 1).replace(/\n\s*/g, " ")}`);
  return scrub(lines.join("\n"));
}

/** Registers this test file's transcripts; call once at the top of the file. */
export function recordTranscripts(file: string): void {
  const recorded = new Map<string, string[]>();
  let current = "(outside a test)";
  beforeEach((t) => {
    current = t.name;
  });
  const listener = (d: Driven<unknown>) => {
    const runs = recorded.get(current) ?? [];
    runs.push(transcript(d));
    recorded.set(current, runs);
  };
  onDriven.push(listener);
  after(() => {
    onDriven.splice(onDriven.indexOf(listener), 1);
    const section = (name: string, runs: string[]) =>
      `## ${name}\n${runs.map((r, i) => (runs.length > 1 ? `### run ${i + 1}\n${r}` : r)).join("\n")}\n`;
    const path = join(DIR, `${file}.txt`);
    if (process.env.UPDATE_TRANSCRIPTS) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(path, [...recorded].map(([name, runs]) => section(name, runs)).join("\n"));
      return;
    }
    assert.ok(existsSync(path), `${path} is missing: run with UPDATE_TRANSCRIPTS=1 and review it`);
    const golden = parseSections(readFileSync(path, "utf8"));
    // Only the tests that ran are compared (a filtered run compares its own).
    for (const [name, runs] of recorded) {
      const want = golden.get(name);
      assert.ok(
        want !== undefined,
        `no transcript for "${name}" in ${path}: run with UPDATE_TRANSCRIPTS=1 and review it`,
      );
      assert.equal(section(name, runs), want, `what "${name}" tells people changed (${path})`);
    }
  });
}

function parseSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/^(?=## )/m)) {
    const name = part.slice(3, part.indexOf("\n"));
    if (part.startsWith("## ")) out.set(name, part.replace(/\n+$/, "\n"));
  }
  return out;
}
