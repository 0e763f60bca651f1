// The traffic generator's report as the drill prints it.
import type { TrafficReport } from "../lab/traffic";

const seconds = (ms: number | null): string => (ms === null ? "n/a" : `${(ms / 1000).toFixed(2)}s`);

export function trafficSummary(r: TrafficReport): string {
  const servers = Object.entries(r.byServer)
    .map(([address, n]) => `${n} by ${address}`)
    .join(", ");
  const u = r.unavailability;
  return [
    `  writes:    ${r.attempted} sent, ${r.acknowledged} acknowledged (${servers || "none"}), ${r.failed} failed`,
    `  lost:      ${r.lost} acknowledged writes are missing on the new primary ${r.newPrimary.name} (${r.newPrimary.address})`,
    `  diverged:  ${r.diverged ?? "n/a"} acknowledged by the old primary ${r.oldPrimary.address} after the promote${r.promotedAt ? ` (${r.promotedAt})` : ""}`,
    `  unavailable: longest gap between acknowledged writes ${seconds(u.longestGapMs)}; first failure → next success ${seconds(u.firstFailureToNextSuccessMs)}`,
    `  old primary ${r.oldPrimary.name}: ${r.oldPrimary.acceptsWrites ? "STILL ACCEPTS WRITES" : "refuses writes"} (${r.oldPrimary.detail})`,
    ...r.lostSample.map((w) => `    lost: ${w.id} acknowledged by ${w.server} at ${new Date(w.ackedAt).toISOString()}`),
  ].join("\n");
}
