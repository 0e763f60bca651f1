// The re-protection view: the pair getting a replica again after a failover. Its steps and what it waits for,
// the plan and the Approve / Abort form while it waits for approval, and once it ends: the new replica, the old
// server, the dry run of the next failover that proves the pair protected, and the audit.
import { permissions, riskText, decisionForm } from "./approval.js";
import { h, patch, replace } from "./dom.js";
import { dateTime, seconds } from "./format.js";
import { badge, facts } from "./parts.js";
import { auditTable } from "./run-sections.js";

export const REPROTECT_STEPS = ["plan", "approval", "create", "replicate", "join", "retire", "dryRun"];
const STEP_LABEL = {
  plan: "Plan",
  approval: "Approval",
  create: "Create the replica",
  replicate: "Replicate",
  join: "Join the pair",
  retire: "Retire the old server",
  dryRun: "Dry run of the next failover",
};

export function createReprotectView(main, me, decide) {
  const el = {
    header: h("div", { id: "reprotect-header" }),
    now: h("div", { id: "run-now", "aria-live": "polite" }),
    approval: h("div", { id: "run-approval" }),
    decided: h("p", { id: "decided", class: "result ok", role: "status" }),
    steps: h("div", { id: "reprotect-steps" }),
    outcome: h("div", { id: "run-outcome" }),
    audit: h("div", { id: "run-audit" }),
  };
  replace(
    main,
    h(
      "div",
      { class: "view", id: "reprotect-view" },
      el.header,
      el.now,
      el.approval,
      el.decided,
      el.steps,
      el.outcome,
      h("details", { class: "card", id: "audit" }, h("summary", {}, "Audit journal"), el.audit),
    ),
  );
  return {
    update(v) {
      patch(el.header, { id: v.id, pair: v.pair, outcome: v.outcome, reason: v.reason, by: v.requester?.name }, header);
      const running = v.outcome === "running" && v.step && v.step !== "done";
      patch(el.now, running ? { step: v.step, message: v.message } : null, (x) =>
        x ? h("p", { class: "now" }, h("strong", {}, STEP_LABEL[x.step] ?? x.step), `: ${x.message}`) : [],
      );
      const plan = v.outcome === "running" ? v.awaitingApproval : null;
      patch(el.approval, plan ? { plan, me } : null, (x) =>
        x
          ? approval(x, async (decision, reason) => {
              const r = await decide(v.id, decision, reason);
              if (r.ok) el.decided.textContent = r.message;
              return r;
            })
          : [],
      );
      patch(el.steps, { phases: v.result?.phases ?? [], step: v.step, outcome: v.outcome }, steps);
      patch(el.outcome, v.result, (r) => (r ? result(r) : []));
      patch(el.audit, v.timeline, (t) => auditTable(t, Date.parse(t[0]?.at ?? new Date().toISOString())));
    },
  };
}

function header(x) {
  return h(
    "section",
    { class: "card" },
    h("h1", {}, `Re-protection of ${x.pair} `, badge(x.outcome)),
    facts([
      ["id", x.id],
      ["asked by", x.by],
      ["why", x.reason],
    ]),
  );
}

function steps(x) {
  const done = new Map(x.phases.map((p) => [p.phase, p]));
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Steps"),
    h(
      "ol",
      { class: "steps", id: "reprotect-step-list" },
      REPROTECT_STEPS.map((s) => {
        const p = done.get(s);
        const state = p ? p.outcome : x.outcome === "running" && x.step === s ? "running" : "pending";
        return h(
          "li",
          { class: `step step-${state}`, "data-step": s },
          h("strong", {}, STEP_LABEL[s]),
          ` — ${state}`,
          p ? ` (${seconds(p.seconds)})${p.note ? `: ${p.note}` : ""}` : "",
        );
      }),
    ),
  );
}

function approval({ plan, me }, onDecide) {
  return h(
    "section",
    { class: "card approval", "aria-labelledby": "approval-title" },
    h("h2", { id: "approval-title" }, "Waiting for approval"),
    h(
      "p",
      { class: "lead" },
      "New replica ",
      h("strong", {}, plan.replica.name),
      ` in ${plan.replica.location} of `,
      h("strong", {}, plan.primary),
      `; the old server ${plan.old}: ${plan.retireOld}`,
    ),
    facts([
      ["asked by", plan.requester.name],
      ["why", plan.reason],
      ["old server's data at risk", plan.retireOld === "delete" ? riskText(plan.oldRisk) : null],
      ["two-person rule", plan.twoPerson ? "yes: the requester cannot approve" : "no"],
      ["decide until", dateTime(plan.expiresAt)],
    ]),
    plan.warnings.length
      ? h(
          "ul",
          { class: "warnings-list" },
          plan.warnings.map((w) => h("li", {}, w)),
        )
      : null,
    decisionForm(permissions(me, plan), onDecide, "re-protection"),
  );
}

function result(r) {
  const next = r.nextFailover;
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Result"),
    facts([
      ["outcome", badge(r.outcome)],
      ["code", r.code ? `${r.code}: ${r.reason}` : null],
      ["primary", r.primary],
      [
        "new replica",
        r.replica
          ? `${r.replica.name} (${r.replica.location})${r.replica.joined ? ", joined the pair" : ", not joined"}`
          : null,
      ],
      ["old server", r.old ? `${r.old.name}: ${r.old.retired ?? "not retired"} — ${r.old.note}` : null],
      ["next failover (dry run)", next ? `${next.outcome}: ${next.from} → ${next.to}` : null],
    ]),
    r.warnings.length
      ? h(
          "ul",
          { class: "warnings-list" },
          r.warnings.map((w) => h("li", {}, w)),
        )
      : null,
  );
}
