// Turning a failover's status into what a person reads: live progress lines, the phase table and the
// verification summary.
import { RTO_PHASES, type ApprovalRequest, type FailoverOutput } from "../../src/orchestrations/failover-types";

export interface TimelineEntry {
  at: string;
  step: string;
  event: string;
  attempt?: number;
  durationMs?: number;
  summary: string;
}

export interface FailoverView {
  id: string;
  runtimeStatus: string;
  outcome: string;
  currentStep: { step: string; message: string } | null;
  awaitingApproval?: ApprovalRequest | null;
  timeline: TimelineEntry[];
  result: FailoverOutput | null;
  error?: unknown;
}

export function progressLine(e: TimelineEntry, startedAt: number): string {
  const t = ((Date.parse(e.at) - startedAt) / 1000).toFixed(1).padStart(6);
  const attempt = e.attempt && e.attempt > 1 && e.event !== "started" ? ` (attempt ${e.attempt})` : "";
  const took = e.durationMs !== undefined ? ` [${e.durationMs} ms]` : "";
  const mark =
    e.event === "failed" || e.event === "aborted"
      ? "!"
      : e.event === "refused" || e.event === "ignored"
        ? "x"
        : e.event === "succeeded" || e.event === "approved"
          ? "+"
          : "-";
  return `  ${t}s ${mark} ${e.step.padEnd(15)} ${e.event.padEnd(9)} ${e.summary}${attempt}${took}`;
}

export function phaseTable(out: FailoverOutput): string {
  const rows = out.phases.map((p) => [p.phase, `${p.seconds.toFixed(2)}s`, p.outcome, p.note ?? ""]);
  const head = ["step", "duration", "outcome", "detail"];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => "  " + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function summary(out: FailoverOutput): string {
  const lines: string[] = [];
  lines.push(
    `  outcome: ${out.outcome.toUpperCase()}${out.failedStep ? ` at ${out.failedStep}` : ""}${out.code ? ` (${out.code})` : ""}`,
  );
  if (out.reason) lines.push(`  reason:  ${out.reason}`);
  lines.push(`  from → to: ${out.from ?? "?"} → ${out.to ?? "?"} (${out.option}${out.dryRun ? ", dry run" : ""})`);
  lines.push(`  CNAME now: ${out.cname.target ?? "?"} (TTL ${out.cname.ttl ?? "?"}s): ${out.cname.note}`);
  const rto = out.rto;
  const parts = RTO_PHASES.filter((k) => rto[k] !== undefined).map((k) => `${k} ${rto[k]!.toFixed(2)}s`);
  lines.push(`  RTO:     ${rto.total === null ? "not reached" : rto.total.toFixed(2) + "s"}  (${parts.join(", ")})`);
  if (out.rpo) {
    lines.push(
      `  lag:     replica lag ${out.rpo.bytes ?? "unknown"} bytes in preflight, last replay ${out.rpo.replaySeconds === null ? "n/a" : out.rpo.replaySeconds.toFixed(1) + "s ago"}${out.rpo.primaryReachable ? "" : " (primary unreachable)"}`,
    );
  }
  if (out.risk) {
    const from = out.risk.source === "sample" ? ` (last sample with the primary alive, ${out.risk.measuredAt})` : "";
    lines.push(
      `  at risk: ${out.risk.bytes ?? "unknown"} bytes${from}${out.catchUp ? `; caught up to ${out.catchUp.lsn} after the fence` : ""}`,
    );
  }
  if (out.confirmation) {
    lines.push(
      `  alert confirmed: ${out.confirmation.down ? "the primary is down" : "the primary answers (false alarm)"}`,
    );
    for (const e of out.confirmation.evidence) lines.push(`    ${e}`);
  }
  if (out.approval) {
    lines.push(`  approval: ${out.approval.decision} by ${out.approval.by?.name ?? "nobody"} — ${out.approval.reason}`);
  }
  if (out.fence) lines.push(`  old primary: ${out.fence.state} — ${out.fence.note}`);
  if (out.dns)
    lines.push(
      `  DNS:     ${out.dns.answers} answers in a row for the new target ${out.dns.convergedSeconds.toFixed(2)}s after the repoint`,
    );
  const v = out.verification;
  if (v) {
    lines.push("  verification through the CNAME:");
    lines.push(`    ${v.name} → ${v.cnameChain.join(" → ")} → ${v.address}`);
    lines.push(
      `    writable: pg_is_in_recovery() = false, transaction_read_only = ${v.transactionReadOnly}, a write was made and rolled back`,
    );
    lines.push(`    TLS ${v.tls.protocol}, verify-ca OK; certificate ${v.tls.subject} issued by ${v.tls.issuer}`);
    lines.push(`    certificate names: ${v.tls.subjectAltNames}`);
    lines.push(
      v.verifyFull.ok
        ? "    verify-full through the CNAME name: OK (the certificate names the CNAME)"
        : `    verify-full through the CNAME name: refused, as the article explains (${v.verifyFull.error})`,
    );
  }
  for (const w of out.warnings) lines.push(`  warning: ${w}`);
  return lines.join("\n");
}
