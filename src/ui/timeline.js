// From a failover's status to the rows of its step chart (pure: no DOM, so Node tests can run it).
// Finished runs take their bars from result.phases (the orchestration's own record of each step); a run in
// progress has no phases yet, so its bars come from the audit timeline (each attempt's started → ended
// entries) and from the steps the page saw as current (timer-only steps like approval, drain, stabilise
// leave no audit entry). Attempts, retries and polls are drawn from the timeline in both cases.

export const STEP_LABELS = {
  preflight: "Preflight",
  confirm: "Confirm alert",
  approval: "Approval",
  lowerTtl: "Lower TTL",
  drain: "Drain",
  fence: "Fence",
  catchUp: "Catch up",
  promote: "Promote",
  repoint: "Repoint CNAME",
  verify: "Verify",
  stabilise: "Stabilise",
  restoreTtl: "Restore TTL",
};

/** Audit steps recorded under another name than the step (phase) they belong to. */
const PHASE_OF = {
  checkPromotion: "promote",
  liftFence: "fence",
  watchFence: "fence",
  fenceByArm: "fence",
  decision: "approval",
  // A re-protection's poll of the old server's stop or delete.
  operation: "retire",
};

export const phaseOf = (auditStep) => PHASE_OF[auditStep] ?? auditStep;
export const stepLabel = (step) => STEP_LABELS[step] ?? step;

const ENDED = new Set(["succeeded", "failed", "refused"]);
const ms = (iso) => Date.parse(iso);

/** Each activity attempt: started → ended (or still running), with its attempt and poll numbers. */
export function attempts(timeline) {
  const out = [];
  for (const e of timeline ?? []) {
    if (e.step === "run") continue;
    if (e.event === "started") {
      out.push({
        step: e.step,
        phase: phaseOf(e.step),
        attempt: e.attempt ?? 1,
        poll: e.detail?.input?.poll ?? null,
        start: ms(e.at),
        end: null,
        outcome: "running",
        summary: e.summary,
      });
    } else if (ENDED.has(e.event)) {
      const open = out.findLast((a) => a.step === e.step && a.end === null && a.attempt === (e.attempt ?? 1));
      const end = ms(e.at);
      if (open) Object.assign(open, { end, outcome: e.event, summary: e.summary });
      else
        out.push({
          step: e.step,
          phase: phaseOf(e.step),
          attempt: e.attempt ?? 1,
          poll: null,
          start: end - (e.durationMs ?? 0),
          end,
          outcome: e.event,
          summary: e.summary,
        });
    }
  }
  return out;
}

/**
 * The chart: `rows` in the order the steps started, each with its bars (one per time the step ran) and
 * its attempts; `events` are the run-level entries (requested, approved, completed …).
 * `observed`: [{step, since}] as the page saw currentStep change while polling.
 */
export function chartModel(view, observed = [], now = Date.now()) {
  const done = !!view.result;
  const marks = attempts(view.timeline);
  const rows = new Map();
  const row = (key) => {
    if (!rows.has(key)) rows.set(key, { key, label: stepLabel(key), bars: [], marks: [] });
    return rows.get(key);
  };
  for (const m of marks) row(m.phase).marks.push(m);

  if (done) {
    for (const p of view.result.phases ?? [])
      row(p.phase).bars.push({ start: ms(p.startedAt), end: ms(p.endedAt), outcome: p.outcome, note: p.note ?? null });
  } else {
    const current = view.currentStep && view.currentStep.step !== "done" ? view.currentStep : null;
    const spans = new Map();
    const widen = (key, start, end, running) => {
      const s = spans.get(key) ?? { start, end, running: false };
      spans.set(key, { start: Math.min(s.start, start), end: Math.max(s.end, end), running: s.running || running });
    };
    for (const m of marks) widen(m.phase, m.start, m.end ?? now, m.end === null);
    observed.forEach((o, i) => {
      const next = observed[i + 1];
      const isCurrent = current && current.step === o.step && !next;
      widen(o.step, ms(o.since), next ? ms(next.since) : isCurrent ? now : ms(o.since), !!isCurrent);
    });
    if (current) widen(current.step, ms(current.since), now, true);
    for (const [key, s] of spans)
      row(key).bars.push({
        start: s.start,
        end: current?.step === key ? now : s.end,
        outcome: current?.step === key ? "running" : "ok",
        note: null,
      });
  }

  // Steps in the order they started. Bars carry the orchestration's own clock, marks the activities' wall
  // clock: a row with bars is placed by them. Steps that start at the same instant (a skipped drain and the
  // promote after it, in one episode) keep the run's order: result.phases when it has ended.
  const phaseIndex = new Map();
  (view.result?.phases ?? []).forEach((p, i) => phaseIndex.has(p.phase) || phaseIndex.set(p.phase, i));
  const canonical = Object.keys(STEP_LABELS);
  const rank = (r) =>
    phaseIndex.get(r.key) ?? (canonical.includes(r.key) ? canonical.indexOf(r.key) : canonical.length);
  const firstStart = (r) => Math.min(...(r.bars.length ? r.bars : r.marks).map((x) => x.start));
  const ordered = [...rows.values()].sort((a, b) => firstStart(a) - firstStart(b) || rank(a) - rank(b));
  for (const r of ordered) {
    r.attempts = r.marks.length;
    r.retries = r.marks.filter((m) => m.attempt > 1).length;
    r.polls = new Set(r.marks.filter((m) => m.poll !== null).map((m) => m.poll)).size;
    r.failures = r.marks.filter((m) => m.outcome === "failed").length;
    r.seconds = r.bars.reduce((t, b) => t + Math.max(0, b.end - b.start) / 1000, 0);
  }

  const events = (view.timeline ?? [])
    .filter((e) => e.step === "run")
    .map((e) => ({ at: ms(e.at), event: e.event, summary: e.summary }));
  const times = [
    ...ordered.flatMap((r) => [...r.bars.flatMap((b) => [b.start, b.end]), ...r.marks.map((m) => m.end ?? now)]),
    ...events.map((e) => e.at),
  ].filter((t) => Number.isFinite(t));
  const requested = ms(view.requestedAt ?? view.createdTime);
  const start = Math.min(...[requested, ...times].filter((t) => Number.isFinite(t)));
  const end = done ? Math.max(start + 1, ...times) : Math.max(start + 1, now, ...times);
  return { start, end, rows: ordered, events, done };
}
