// The step chart of a run: one table row per step, its bars on a shared time axis (seconds from the
// request), each attempt drawn under its bar (retries and failures in their own colour, polls as ticks).
import { h } from "./dom.js";
import { seconds } from "./format.js";
import { stepLabel } from "./timeline.js";

const pct = (t, axis) => `${(((t - axis.start) / (axis.end - axis.start)) * 100).toFixed(3)}%`;
const width = (a, b, axis) => `${Math.max(0.4, ((b - a) / (axis.end - axis.start)) * 100).toFixed(3)}%`;
const at = (t, axis) => `+${seconds((t - axis.start) / 1000)}`;

function ticks(axis) {
  const span = (axis.end - axis.start) / 1000;
  const step = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => span / s <= 6) ?? 7200;
  const out = [];
  for (let s = 0; s <= span; s += step) out.push(s);
  return out;
}

function attemptTitle(m, axis) {
  const what = `${m.step}${m.poll ? ` poll ${m.poll}` : ""} attempt ${m.attempt}${m.attempt > 1 ? ` (retry ${m.attempt - 1})` : ""}`;
  const took = m.end === null ? "running" : `${m.outcome} after ${seconds((m.end - m.start) / 1000)}`;
  return `${what}: ${took}, from ${at(m.start, axis)}. ${m.summary ?? ""}`;
}

function counts(r) {
  const parts = [];
  if (r.attempts) parts.push(`${r.attempts} call${r.attempts === 1 ? "" : "s"}`);
  if (r.polls) parts.push(`${r.polls} poll${r.polls === 1 ? "" : "s"}`);
  if (r.retries) parts.push(`${r.retries} retr${r.retries === 1 ? "y" : "ies"}`);
  if (r.failures) parts.push(`${r.failures} failed`);
  return parts.join(" · ") || "no activity (a wait)";
}

function stateOf(r) {
  if (r.bars.some((b) => b.outcome === "running")) return "running";
  const bad = r.bars.find((b) => ["failed", "refused", "aborted", "falseAlarm"].includes(b.outcome));
  if (bad) return bad.outcome;
  if (r.bars.length && r.bars.every((b) => b.outcome === "skipped")) return "skipped";
  return "ok";
}

const LEGEND = [
  ["bar bar-ok", "done"],
  ["bar bar-running", "running"],
  ["bar bar-failed", "failed or refused"],
  ["bar bar-skipped", "skipped"],
  ["mark mark-succeeded", "call"],
  ["mark mark-retry", "retry"],
  ["mark mark-failed", "failed call"],
];

export function renderChart(model) {
  const axis = { start: model.start, end: model.end };
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Step"),
    h(
      "th",
      { scope: "col", class: "track-head" },
      h("span", { class: "visually-hidden" }, "Time since the request"),
      h(
        "div",
        { class: "axis", "aria-hidden": "true" },
        ticks(axis).map((s) =>
          h("span", { class: "tick", style: { left: pct(axis.start + s * 1000, axis) } }, `${s}s`),
        ),
      ),
    ),
    h("th", { scope: "col" }, "Took"),
    h("th", { scope: "col" }, "Calls"),
  );
  const rows = model.rows.map((r) => {
    const state = stateOf(r);
    const described = r.bars
      .map((b) => `${b.outcome} from ${at(b.start, axis)} to ${at(b.end, axis)}${b.note ? ` (${b.note})` : ""}`)
      .join("; ");
    return h(
      "tr",
      { dataset: { step: r.key, state } },
      h("th", { scope: "row" }, h("span", { class: `dot dot-${state}`, "aria-hidden": "true" }), stepLabel(r.key)),
      h(
        "td",
        { class: "track" },
        h("span", { class: "visually-hidden" }, described || "no bar"),
        r.bars.map((b) =>
          h("div", {
            class: `bar bar-${b.outcome}`,
            style: { left: pct(b.start, axis), width: width(b.start, b.end, axis) },
            title: `${stepLabel(r.key)}: ${b.outcome}, ${seconds((b.end - b.start) / 1000)}${b.note ? ` — ${b.note}` : ""}`,
          }),
        ),
        r.marks.map((m) =>
          h("div", {
            class: `mark mark-${m.outcome}${m.attempt > 1 ? " mark-retry" : ""}${m.poll ? " mark-poll" : ""}`,
            style: { left: pct(m.start, axis), width: width(m.start, m.end ?? axis.end, axis) },
            title: attemptTitle(m, axis),
          }),
        ),
      ),
      h("td", { class: "num" }, seconds(r.seconds)),
      h("td", { class: "counts" }, counts(r)),
    );
  });
  const events = model.events.length
    ? h(
        "tr",
        { class: "events" },
        h("th", { scope: "row" }, "Run"),
        h(
          "td",
          { class: "track" },
          h(
            "span",
            { class: "visually-hidden" },
            model.events.map((e) => `${e.event} at ${at(e.at, axis)}`).join("; "),
          ),
          model.events.map((e) =>
            h("div", {
              class: `event event-${e.event}`,
              style: { left: pct(e.at, axis) },
              title: `${e.event} at ${at(e.at, axis)}: ${e.summary}`,
            }),
          ),
        ),
        h("td", {}, ""),
        h("td", { class: "counts" }, model.events.map((e) => e.event).join(", ")),
      )
    : null;
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "chart", id: "steps" },
      h("caption", {}, model.done ? "Steps (from the run's result)" : "Steps so far (from the audit, live)"),
      h("thead", {}, head),
      h("tbody", {}, rows, events),
    ),
    h(
      "p",
      { class: "legend", "aria-hidden": "true" },
      LEGEND.map(([cls, text]) => [h("span", { class: `swatch ${cls}` }), text]),
    ),
  );
}
