// The plan of a run waiting for approval, and the Approve / Abort form for the people the API lets decide:
// approving needs Failover.Approve and, under the two-person rule, not being the requester; aborting needs
// Failover.Approve or being the requester. Both ask for a reason (it goes into the audit).
import { h } from "./dom.js";
import { bytes, dateTime } from "./format.js";
import { facts } from "./parts.js";

export const APPROVE_ROLE = "Failover.Approve";

export function permissions(me, plan) {
  const approver = me.roles.includes(APPROVE_ROLE);
  const requester = me.oid === plan.requester.oid;
  return { approve: approver && !(plan.twoPerson && requester), abort: approver || requester, approver, requester };
}

export function riskText(risk) {
  if (!risk) return "not measured";
  const from =
    risk.source === "measured"
      ? "measured now"
      : risk.source === "sample"
        ? `the last sample with the primary alive, ${dateTime(risk.measuredAt)}`
        : "unknown: no sample with the primary alive";
  return `${bytes(risk.bytes)} (${from})`;
}

/** `onDecide(decision, reason)` resolves to {ok, message}. */
export function renderApproval({ plan, me }, onDecide) {
  const can = permissions(me, plan);
  const alert = plan.alert;
  return h(
    "section",
    { class: "card approval", "aria-labelledby": "approval-title" },
    h("h2", { id: "approval-title" }, "Waiting for approval"),
    h(
      "p",
      { class: "lead" },
      h("strong", {}, plan.from),
      " → ",
      h("strong", {}, plan.to),
      ` (${plan.option}${plan.mode === "complete" ? ", completion" : ""})`,
    ),
    facts([
      ["asked by", `${plan.requester.name}`],
      ["why", plan.reason],
      ["data at risk", riskText(plan.risk)],
      [
        "once approved",
        `at most ${plan.predictedRtoSeconds.atMost} s (drain ${plan.predictedRtoSeconds.drain} s) until the CNAME is proven on ${plan.to}`,
      ],
      ["two-person rule", plan.twoPerson ? "yes: the requester cannot approve" : "no"],
      ["decide until", h("span", {}, dateTime(plan.expiresAt), " ", h("span", { id: "expires-in", class: "muted" }))],
    ]),
    plan.acceptsDataLoss
      ? h(
          "p",
          { class: "danger", id: "accepts-loss" },
          "Approving also accepts this possible data loss: it is above the pair's RPO threshold, or unknown.",
        )
      : null,
    plan.warnings.length
      ? h(
          "ul",
          { class: "warnings-list" },
          plan.warnings.map((w) => h("li", {}, w)),
        )
      : null,
    alert
      ? h(
          "div",
          { class: "alert-box" },
          h("h3", {}, `Alert: ${alert.rule}`),
          facts([
            ["fired", alert.firedAt ? dateTime(alert.firedAt) : null],
            ["severity", alert.severity],
            ["description", alert.description],
          ]),
          alert.confirmation?.length
            ? [
                h("h4", {}, "Confirmation"),
                h(
                  "ul",
                  {},
                  alert.confirmation.map((c) => h("li", {}, c)),
                ),
              ]
            : null,
        )
      : null,
    decisionForm(can, onDecide),
  );
}

export function decisionForm(can, onDecide, what = "failover") {
  const notes = [];
  if (can.requester && !can.approve)
    notes.push(
      `You asked for this ${what}: under the two-person rule someone else with Failover.Approve must approve it. You can abort it.`,
    );
  if (!can.approver && !can.requester)
    notes.push("Approving or aborting needs the Failover.Approve role; you can follow the run here.");
  const note = notes.length ? h("p", { class: "note", id: "decision-note" }, notes) : null;
  if (!can.approve && !can.abort) return note;

  const reason = h("textarea", {
    id: "decision-reason",
    name: "reason",
    rows: 2,
    required: true,
    minlength: 3,
    maxlength: 500,
    "aria-describedby": "decision-help",
  });
  const buttons = [
    can.approve
      ? h("button", { type: "submit", value: "approve", class: "approve", id: "approve" }, `Approve ${what}`)
      : null,
    can.abort ? h("button", { type: "submit", value: "abort", class: "abort", id: "abort" }, "Abort") : null,
  ];
  const result = h("p", { class: "result", role: "status", id: "decision-status" });
  const form = h(
    "form",
    {
      class: "decide",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const decision = ev.submitter?.value ?? "approve";
        const text = reason.value.trim();
        if (text.length < 3) {
          result.textContent = "Say why in at least 3 characters: the reason goes into the audit.";
          reason.focus();
          return;
        }
        for (const b of form.querySelectorAll("button")) b.disabled = true;
        result.textContent = decision === "approve" ? "Approving…" : "Aborting…";
        const r = await onDecide(decision, text);
        result.textContent = r.message;
        result.className = `result ${r.ok ? "ok" : "error"}`;
        if (!r.ok) for (const b of form.querySelectorAll("button")) b.disabled = false;
      },
    },
    h("label", { for: "decision-reason" }, "Reason"),
    h("p", { class: "help", id: "decision-help" }, "Required. It goes into the audit with your name."),
    reason,
    h("div", { class: "buttons" }, buttons),
    result,
  );
  return [note, form];
}
