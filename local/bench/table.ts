// The bench's report as a person reads it: one table per section, medians with (min–max).
import type { BenchReport } from "./report";
import { fmt, type Stat } from "./stats";

function grid(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    "  " +
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const s = (x: Stat | null | undefined, digits = 3): string => fmt(x, digits);

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `pgflex-failover bench: ${r.options.runs} run(s)${r.options.quick ? " (quick)" : ""}${r.options.profile === "azure" ? ", lab at Azure's pace" : ""}, medians (min–max)`,
    `  ${m.nproc} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}, ${m.platform}; load ${m.loadavg.start.toFixed(2)} → ${(m.loadavg.end ?? 0).toFixed(2)}`,
    `  ${r.command}`,
    "",
    "Failover, planned, drain off (seconds): orchestrated (result.rto) and straight-line script",
  );
  const steps = Object.keys(r.failover.rto).filter((k) => k !== "total");
  out.push(
    grid(
      ["step", "orchestrated", "straight-line"],
      [
        ...steps.map((k) => [k, s(r.failover.rto[k]), k === "drain" ? "(none)" : s(r.straightLine.steps[k])]),
        ["total (first step → verified)", s(r.failover.rto.total), s(r.straightLine.total)],
        ["POST → verified", s(r.failover.postToVerified), ""],
        ["  of which POST → first step", s(r.failover.queue), ""],
        [
          "  before it: the fresh host's first request (GET /api/pairs/{the other pair})",
          s(r.failover.firstRequest),
          "",
        ],
        ["ratio (POST → verified / straight)", s(r.straightLine.ratio), ""],
        ["ratio (rto.total / straight)", s(r.straightLine.ratioRtoTotal), ""],
      ],
    ),
    "",
    "PostgreSQL logins per failover (the lab servers' logs, log_connections), beside the timings above",
    grid(
      ["", "logins"],
      [
        ["orchestrated, both servers", s(r.failover.connections.orchestrated, 0)],
        ...Object.entries(r.failover.connections.byGroup).map(([g, x]) => [`  ${g}`, s(x, 0)]),
        ["  most by one server in one step group", String(r.failover.connections.maxPerServerAndGroup ?? "–")],
        ["straight-line, both servers", s(r.failover.connections.straightLine, 0)],
        ["TCP connections that never logged in (verify-full on the CNAME)", s(r.failover.connections.notLoggedIn, 0)],
        ["TLS secure contexts built (straight-line process)", s(r.failover.connections.tlsContexts, 0)],
      ],
    ),
    "",
    "Detection lag: server out of recovery → seen writable (seconds)",
    grid(
      ["by", "lag"],
      [
        ["orchestrated (checkPromotion audit entry)", s(r.detectionLag.orchestrated)],
        ["straight-line (100 ms poll)", s(r.detectionLag.straightLine)],
      ],
    ),
    "",
    `Failover at Azure's pace (seconds)${r.azurePace.sample ? `: ${r.azurePace.note}` : ` — ${r.azurePace.note}`}`,
  );
  const az = r.azurePace.sample;
  if (az)
    out.push(
      grid(
        ["step", "orchestrated"],
        [
          ...steps.map((k) => [k, az.rto[k] === null || az.rto[k] === undefined ? "–" : az.rto[k]!.toFixed(3)]),
          ["total (first step → verified)", az.rto.total?.toFixed(3) ?? "–"],
          ["POST → verified", az.postToVerified.toFixed(3)],
        ],
      ),
    );
  out.push("", `Fleet: region evacuation (seconds)${r.fleet.requested ? "" : ` — ${r.fleet.note}`}`);
  if (r.fleet.sizes.length)
    out.push(
      grid(
        [
          "pairs",
          "POST → done",
          "reported",
          "POST → verified",
          "× one pair",
          "429s",
          "floor (script)",
          "floor × one",
          "verified ÷ floor",
        ],
        r.fleet.sizes.map((f) => [
          `${f.pairs}${f.throttled ? " (ARM throttling)" : ""}`,
          s(f.seconds),
          s(f.reportedSeconds),
          s(f.verifiedSeconds),
          s(f.ratioToOne, 2),
          s(f.throttledRequests, 0),
          s(f.floorSeconds),
          s(f.floorRatioToOne, 2),
          s(f.overFloor, 2),
        ]),
      ),
    );
  out.push(
    "",
    "Local host",
    grid(
      ["history", "episode ms", "durable-functions ms", "host replay ms", "µs/event"],
      r.hostCost.replay.map((c) => [
        `${c.events} events`,
        s(c.episodeMs, 2),
        s(c.orchestratorMs, 2),
        s(c.hostMs, 2),
        String(c.usPerEvent ?? "–"),
      ]),
    ),
    `  replay growth (log-log slope, two largest): ${r.hostCost.replayExponent ?? "–"} on the fastest episodes, ${r.hostCost.replayExponentMedian ?? "–"} on medians`,
    `  trivial orchestrations/s (${r.hostCost.batch} at once): ${s(r.hostCost.orchestrationsPerSecond, 1)}`,
    "",
    "Lab (seconds)",
    grid(
      ["pairs", "start", "stop"],
      r.lab.map((l) => [String(l.pairs), s(l.start, 2), s(l.stop, 2)]),
    ),
    "",
    "Targets",
    grid(
      ["target", "goal", "value", "met"],
      r.targets.map((t) => [
        t.name,
        t.target,
        t.value === null ? "–" : String(Math.round(t.value * 1000) / 1000),
        t.met === null ? "not measured" : t.met ? "yes" : "NO",
      ]),
    ),
    ...r.targets.filter((t) => t.note).map((t) => `  ${t.name}: ${t.note}`),
  );
  return out.join("\n");
}
