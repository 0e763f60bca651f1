// The run view's sections, each from the failover's status (GET /api/failovers/{id}): the header, what it
// is doing now, the outcome, the recovery time, the data at risk, the verification through the CNAME, the
// old primary's fence and the audit journal.
import { riskText } from "./approval.js";
import { h } from "./dom.js";
import { bytes, clock, dateTime, seconds } from "./format.js";
import { badge, facts } from "./parts.js";
import { stepLabel } from "./timeline.js";

const RTO_ORDER = [
  "preflight",
  "confirm",
  "approval",
  "lowerTtl",
  "drain",
  "fence",
  "catchUp",
  "promote",
  "repoint",
  "verify",
];

export function header(v) {
  const r = v.result;
  const plan = v.awaitingApproval;
  return [
    h(
      "p",
      { class: "crumbs" },
      h("a", { href: "#/" }, "Pairs"),
      " › ",
      v.pair ? h("a", { href: `#/history/${encodeURIComponent(v.pair)}` }, `Runs of ${v.pair}`) : "Runs",
      " › ",
      v.runId ?? v.id,
    ),
    h(
      "h1",
      {},
      `${v.dryRun ? "Dry run" : v.mode === "complete" ? "Completion" : "Failover"} of ${v.pair ?? "?"}`,
      " ",
      badge(plan ? "awaiting" : v.outcome),
    ),
    facts([
      ["from → to", r?.from || plan ? `${r?.from ?? plan.from} → ${r?.to ?? plan.to}` : null],
      ["option", v.option],
      ["requested by", v.requester?.name ?? null],
      ["why", v.reason],
      ["note", v.note],
      ["requested", dateTime(v.requestedAt)],
      ["instance", h("code", {}, v.id)],
    ]),
  ];
}

export function current(v) {
  const c = v.currentStep;
  return h(
    "div",
    { class: "now" },
    h("h2", {}, "Now: ", h("span", { id: "current-step" }, stepLabel(c.step))),
    h("p", { id: "current-message" }, c.message),
    h("p", { class: "muted" }, `since ${clock(c.since)}`),
  );
}

export function outcome(v) {
  const r = v.result;
  return h(
    "section",
    { class: `card outcome outcome-${r.outcome}`, "aria-labelledby": "outcome-title" },
    h("h2", { id: "outcome-title" }, "Outcome: ", badge(r.outcome)),
    facts([
      ["stopped at", r.failedStep ? stepLabel(r.failedStep) : null],
      ["code", r.code ?? null],
      ["reason", r.reason ?? null],
      ["CNAME now", r.cname.target ? `${r.cname.target} (TTL ${r.cname.ttl ?? "?"} s)` : "unknown"],
      ["why that is safe", r.cname.note || null],
      [
        "approval",
        r.approval
          ? `${r.approval.decision} by ${r.approval.by?.name ?? "nobody"} at ${clock(r.approval.at)}: ${r.approval.reason}`
          : null,
      ],
      [
        "alert confirmation",
        r.confirmation ? (r.confirmation.down ? "the primary was down" : "the primary answered") : null,
      ],
    ]),
    r.warnings.length
      ? h(
          "div",
          { class: "warnings" },
          h("h3", {}, "Warnings"),
          h(
            "ul",
            {},
            r.warnings.map((w) => h("li", {}, w)),
          ),
        )
      : null,
  );
}

export function rto(r) {
  const parts = RTO_ORDER.filter((k) => typeof r.rto[k] === "number").map((k) => [k, r.rto[k]]);
  const max = Math.max(0.001, ...parts.map(([, s]) => s));
  return h(
    "section",
    { class: "card", "aria-labelledby": "rto-title", id: "rto" },
    h("h2", { id: "rto-title" }, "Recovery time"),
    h(
      "p",
      { class: "lead" },
      r.rto.total === null
        ? "Not reached: the CNAME was not proven on a new primary."
        : [
            h("strong", { id: "rto-total" }, seconds(r.rto.total)),
            " from the first step to the verified write through the CNAME",
          ],
    ),
    h(
      "table",
      { class: "rto" },
      h("caption", { class: "visually-hidden" }, "Seconds per step"),
      h(
        "tbody",
        {},
        parts.map(([k, s]) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, stepLabel(k)),
            h("td", { class: "num" }, seconds(s)),
            h(
              "td",
              { class: "rto-bar-cell", "aria-hidden": "true" },
              h("div", { class: "rto-bar", style: { width: `${((s / max) * 100).toFixed(1)}%` } }),
            ),
          ),
        ),
      ),
    ),
  );
}

export function risk(v) {
  const r = v.result;
  const plan = v.awaitingApproval;
  const at = r?.risk ?? plan?.risk ?? null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "risk-title", id: "risk" },
    h("h2", { id: "risk-title" }, "Data at risk"),
    facts([
      ["what a promote may lose", riskText(at)],
      [
        "caught up",
        r?.catchUp
          ? `the replica replayed up to ${r.catchUp.lsn} after the fence (${clock(r.catchUp.caughtUpAt)})`
          : null,
      ],
      [
        "lag in preflight",
        r?.rpo
          ? `${bytes(r.rpo.bytes)}; last replay ${r.rpo.replaySeconds === null ? "unknown" : `${seconds(r.rpo.replaySeconds)} before`}${r.rpo.primaryReachable ? "" : " (primary unreachable)"}`
          : null,
      ],
      ["accepted", v.acceptDataLoss ? "the request accepted data loss" : null],
    ]),
  );
}

export function verification(r) {
  const x = r.verification;
  return h(
    "section",
    { class: "card", "aria-labelledby": "verify-title", id: "verification" },
    h("h2", { id: "verify-title" }, "Verification through the CNAME"),
    facts([
      ["answers", h("span", { id: "verified-address" }, `${x.name} → ${x.cnameChain.join(" → ")} → ${x.address}`)],
      [
        "DNS",
        r.dns
          ? `${r.dns.answers} answers in a row for the new target, ${seconds(r.dns.convergedSeconds)} after the repoint`
          : null,
      ],
      [
        "writable",
        `pg_is_in_recovery() false, transaction_read_only ${x.transactionReadOnly}, a write made and rolled back`,
      ],
      ["TLS", `${x.tls.protocol ?? "?"}, verify-ca OK`],
      ["certificate", `${x.tls.subject}, issued by ${x.tls.issuer}, valid to ${dateTime(x.tls.validTo)}`],
      ["names", x.tls.subjectAltNames],
      [
        "verify-full on the CNAME",
        x.verifyFull.ok
          ? "OK: the certificate names the CNAME"
          : `refused, as expected (${x.verifyFull.error ?? "the certificate does not name the CNAME"})`,
      ],
      ["server", x.serverVersion],
    ]),
  );
}

export function fence(v) {
  const f = v.oldPrimary;
  return h(
    "section",
    { class: "card", "aria-labelledby": "fence-title", id: "fence" },
    h("h2", { id: "fence-title" }, "Old primary"),
    facts([
      ["server", f.server],
      ["fence", f.fenced ? "fenced: new sessions read-only" : `not fenced (${f.state})`],
      ["note", f.note ?? null],
      ["watched until", f.watchUntil ? dateTime(f.watchUntil) : null],
      ["last try", f.lastError ?? null],
    ]),
  );
}

export function auditTable(timeline, start) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "audit" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["At", "+s", "Step", "Event", "Attempt", "Took", "Summary"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        timeline.map((e) =>
          h(
            "tr",
            { class: `ev-${e.event}` },
            h("td", {}, clock(e.at)),
            h("td", { class: "num" }, ((Date.parse(e.at) - start) / 1000).toFixed(1)),
            h("td", {}, e.step),
            h("td", {}, e.event),
            h("td", { class: "num" }, e.attempt ?? ""),
            h("td", { class: "num" }, e.durationMs === undefined ? "" : `${e.durationMs} ms`),
            h("td", { class: "summary" }, e.summary),
          ),
        ),
      ),
    ),
  );
}

/** The run view inside `main`; `update(view, now)` on every poll. */
