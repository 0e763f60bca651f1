// Small pieces the views share: outcome badges, definition lists, the runs table.
import { h } from "./dom.js";
import { dateTime, seconds } from "./format.js";

const OUTCOME_TEXT = {
  running: "running",
  awaiting: "awaiting approval",
  succeeded: "succeeded",
  refused: "refused",
  failed: "failed",
  aborted: "aborted",
  falseAlarm: "false alarm",
  dryRun: "dry run",
  terminated: "terminated",
  unknown: "unknown",
};

export function badge(outcome) {
  return h("span", { class: `badge badge-${outcome}` }, OUTCOME_TEXT[outcome] ?? outcome);
}

/** A definition list from [term, value] pairs (pairs whose value is null or undefined are left out). */
export function facts(pairs, cls = "facts") {
  return h(
    "dl",
    { class: cls },
    pairs.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

export const runLink = (id, text) => h("a", { href: `#/runs/${encodeURIComponent(id)}` }, text);

/** A pair's runs (GET /api/pairs/{pair}/runs), newest first; each opens its run view. */
export function runsTable(runs, caption) {
  if (!runs.length) return h("p", { class: "muted" }, "No runs recorded for this pair yet.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "runs" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Requested", "Kind", "Requested by", "Reason", "Outcome", "RTO"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        runs.map((r) =>
          h(
            "tr",
            { dataset: { run: r.runId } },
            h("td", {}, r.id ? runLink(r.id, dateTime(r.requestedAt)) : dateTime(r.requestedAt)),
            h(
              "td",
              {},
              [
                r.option,
                r.mode === "complete" ? "completion" : null,
                r.dryRun ? "dry run" : null,
                r.source === "alert" ? "alert" : null,
              ]
                .filter(Boolean)
                .join(", "),
            ),
            h("td", {}, r.requester?.name ?? "–"),
            h("td", { class: "reason" }, r.reason ?? ""),
            h("td", {}, badge(r.outcome)),
            h("td", { class: "num" }, r.rtoSeconds === null ? "–" : seconds(r.rtoSeconds)),
          ),
        ),
      ),
    ),
  );
}
