// The status page's step chart model (src/ui/timeline.js, run by the browser as it is): bars from
// result.phases once a run has ended, from the audit and the steps seen as current while it runs; every
// attempt, retry and poll is kept. Loaded here as the ES module the build copies next to the app.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RTO_PHASES } from "../../src/orchestrations/failover-types";
import { test } from "node:test";
import { REPROTECT_PHASES } from "../../src/orchestrations/reprotect-types";

interface Row {
  key: string;
  bars: { start: number; end: number; outcome: string }[];
  marks: { step: string; attempt: number; poll: number | null; outcome: string; end: number | null }[];
  attempts: number;
  retries: number;
  polls: number;
  failures: number;
}
interface Timeline {
  phaseOf(auditStep: string): string;
  chartModel(
    view: unknown,
    observed?: { step: string; since: string }[],
    now?: number,
  ): {
    start: number;
    end: number;
    rows: Row[];
    events: { event: string }[];
    done: boolean;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- an ES module without types (require(esm), Node >= 20.19)
const ui = require(join(__dirname, "..", "..", "src", "ui", "timeline.js")) as Timeline;

const T0 = Date.parse("2026-11-27T03:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const entry = (s: number, step: string, event: string, extra: Record<string, unknown> = {}) => ({
  at: at(s),
  step,
  event,
  summary: `${step} ${event}`,
  ...extra,
});

const timeline = [
  entry(0, "run", "requested"),
  entry(0.1, "preflight", "started", { attempt: 1, detail: { input: {} } }),
  entry(1, "preflight", "failed", { attempt: 1, durationMs: 900 }),
  entry(6, "preflight", "started", { attempt: 2, detail: { input: {} } }),
  entry(7, "preflight", "succeeded", { attempt: 2, durationMs: 1000 }),
  entry(7.5, "promote", "started", { attempt: 1, detail: { input: {} } }),
  entry(7.6, "promote", "succeeded", { attempt: 1 }),
  entry(7.7, "checkPromotion", "started", { attempt: 1, detail: { input: { poll: 1 } } }),
  entry(8.7, "checkPromotion", "succeeded", { attempt: 1 }),
  entry(9.7, "checkPromotion", "started", { attempt: 1, detail: { input: { poll: 2 } } }),
];

test("while running: rows in the order the steps started; retries, failures and polls kept; the current step runs to now", () => {
  const view = {
    requestedAt: at(0),
    result: null,
    timeline,
    currentStep: { step: "promote", since: at(7.5), message: "promoting" },
  };
  const observed = [
    { step: "preflight", since: at(0.05) },
    { step: "drain", since: at(7.2) },
    { step: "promote", since: at(7.5) },
  ];
  const m = ui.chartModel(view, observed, T0 + 10_000);
  assert.equal(m.done, false);
  assert.deepEqual(
    m.rows.map((r) => r.key),
    ["preflight", "drain", "promote"],
  );
  const [preflight, drain, promote] = m.rows as [Row, Row, Row];
  assert.deepEqual([preflight.attempts, preflight.retries, preflight.failures], [2, 1, 1]);
  assert.deepEqual(
    preflight.marks.map((x) => [x.attempt, x.outcome]),
    [
      [1, "failed"],
      [2, "succeeded"],
    ],
  );
  assert.deepEqual(drain.bars, [{ start: T0 + 7200, end: T0 + 7500, outcome: "ok", note: null }]);
  assert.equal(promote.polls, 2, "checkPromotion polls belong to the promote step");
  assert.deepEqual(
    promote.bars.map((b) => [b.outcome, b.end]),
    [["running", T0 + 10_000]],
  );
  assert.equal(promote.marks.at(-1)?.end, null, "the poll in flight is still open");
  assert.deepEqual(
    m.events.map((e) => e.event),
    ["requested"],
  );
  assert.equal(m.end, T0 + 10_000);
});

test("once ended: the bars are the run's own phases, in order, with their outcomes", () => {
  const phases = [
    { phase: "preflight", startedAt: at(0.1), endedAt: at(7), seconds: 6.9, outcome: "ok" },
    // One episode: the skipped drain and the promote start at the same orchestration instant.
    { phase: "drain", startedAt: at(7.1), endedAt: at(7.1), seconds: 0, outcome: "skipped" },
    { phase: "promote", startedAt: at(7.1), endedAt: at(10), seconds: 2.9, outcome: "failed", note: "deadline" },
    { phase: "fence", startedAt: at(10), endedAt: at(11), seconds: 1, outcome: "ok" },
  ];
  const view = {
    requestedAt: at(0),
    result: { phases },
    timeline: [...timeline, entry(10, "checkPromotion", "failed", { attempt: 1 }), entry(11.5, "run", "completed")],
    currentStep: { step: "done", since: at(11.5), message: "failed" },
  };
  const m = ui.chartModel(view, [], T0 + 60_000);
  assert.equal(m.done, true);
  assert.deepEqual(
    m.rows.map((r) => [r.key, r.bars.map((b) => b.outcome).join()]),
    [
      ["preflight", "ok"],
      ["drain", "skipped"],
      ["promote", "failed"],
      ["fence", "ok"],
    ],
  );
  assert.equal(m.end, T0 + 11_500, "the axis ends with the run, not now");
  assert.deepEqual(
    m.events.map((e) => e.event),
    ["requested", "completed"],
  );
});

test("every step the app audits belongs to a phase the page knows (an audit step is never a row of its own)", () => {
  // The audit step names the activities are registered under (src/app/services.ts), read from the source.
  const services = readFileSync(join(__dirname, "..", "..", "..", "src", "app", "services.ts"), "utf8");
  const audited = [...services.matchAll(/audited\(\s*"([A-Za-z]+)"/g)].map((m) => m[1]!);
  assert.ok(audited.length >= 15, `found ${audited.length} audited steps`);
  // A failover's phases, an evacuation's (plan, claim) and a re-protection's.
  const phases = new Set<string>([...RTO_PHASES, "stabilise", "restoreTtl", "plan", "claim", ...REPROTECT_PHASES]);
  const strays = audited.filter((s) => !phases.has(ui.phaseOf(s)));
  assert.deepEqual(strays, [], "audit steps without a phase: add them to PHASE_OF in src/ui/timeline.js");
});
