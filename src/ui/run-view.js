// The run view: a failover's steps as a live chart, what it is doing now and what it waits for, the plan
// and the Approve / Abort form while it waits for approval, and once it ends: the outcome, the RTO
// breakdown, the data at risk, the verification through the CNAME, the old primary's fence, the audit.
import { renderApproval } from "./approval.js";
import { renderChart } from "./chart.js";
import { h, patch, replace } from "./dom.js";
import { relative } from "./format.js";
import { auditTable, current, fence, header, outcome, risk, rto, verification } from "./run-sections.js";
import { chartModel } from "./timeline.js";

export function createRunView(main, me, decide) {
  const box = (id) => h("div", { id });
  const el = {
    header: box("run-header"),
    now: h("div", { id: "run-now", "aria-live": "polite" }),
    approval: box("run-approval"),
    decided: h("p", { id: "decided", class: "result ok", role: "status" }),
    chart: box("run-chart"),
    outcome: box("run-outcome"),
    rto: box("run-rto"),
    risk: box("run-risk"),
    verification: box("run-verification"),
    fence: box("run-fence"),
    auditCount: h("span"),
    audit: box("run-audit"),
  };
  const auditDetails = h(
    "details",
    { class: "card", id: "audit" },
    h("summary", {}, "Audit journal ", el.auditCount),
    el.audit,
  );
  replace(
    main,
    h(
      "div",
      { class: "view", id: "run-view" },
      el.header,
      el.now,
      el.approval,
      el.decided,
      el.chart,
      el.outcome,
      h("div", { class: "grid" }, el.rto, el.risk),
      el.verification,
      el.fence,
      auditDetails,
    ),
  );
  const observed = [];

  return {
    update(v, now) {
      const c = v.currentStep;
      const last = observed.at(-1);
      if (!v.result && c && c.step !== "done" && (!last || last.step !== c.step || last.since !== c.since))
        observed.push({ step: c.step, since: c.since });

      const head = {
        ...v,
        timeline: null,
        currentStep: null,
        lastUpdatedTime: null,
        oldPrimary: null,
        result: v.result && { from: v.result.from, to: v.result.to },
      };
      patch(el.header, head, header);
      const running = !v.result && c && c.step !== "done";
      patch(el.now, running ? { step: c.step, since: c.since, message: c.message } : null, (x) =>
        x ? current({ currentStep: x }) : [],
      );
      const plan = v.outcome === "running" ? v.awaitingApproval : null;
      patch(el.approval, plan ? { plan, me, id: v.id } : null, (x) =>
        x
          ? renderApproval(x, async (decision, reason) => {
              const r = await decide(v.id, decision, reason);
              if (r.ok) el.decided.textContent = r.message;
              return r;
            })
          : [],
      );
      const expires = document.getElementById("expires-in");
      if (expires && plan) expires.textContent = `(${relative(plan.expiresAt, now)})`;
      replace(el.chart, renderChart(chartModel(v, observed, now)));
      const r = v.result;
      patch(el.outcome, r ? v : null, (x) => (x ? outcome(x) : []));
      patch(el.rto, r ? r : null, (x) => (x ? rto(x) : []));
      patch(el.risk, r || plan ? { r, plan, a: v.acceptDataLoss } : null, () => (r || plan ? risk(v) : []));
      patch(el.verification, r?.verification ? r : null, (x) => (x ? verification(x) : []));
      patch(el.fence, v.oldPrimary, (x) => (x ? fence(v) : []));
      el.auditCount.textContent = `(${v.timeline.length} entries)`;
      patch(el.audit, v.timeline, (t) => auditTable(t, Date.parse(v.requestedAt ?? v.createdTime)));
    },
  };
}
