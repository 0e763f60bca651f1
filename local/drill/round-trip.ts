// `npm run drill -- --round-trip`: failover → re-protect → planned failback → re-protect, through the app's API on
// the lab, with an application writing through the CNAME all along (--traffic). It passes when every run
// succeeded, no acknowledged write was lost, the primary is back in its original region and the pair has a
// replica in the other one again.
import type { ReprotectOutput } from "../../src/orchestrations/reprotect-types";
import type { FailoverOutput } from "../../src/orchestrations/failover-types";
import { followFailover } from "./follow";
import { phaseTable } from "./render";
import type { Stack } from "./stack";

export interface Leg {
  name: string;
  kind: "failover" | "reprotect";
  id: string;
  outcome: string;
  seconds: number;
  note: string;
}

export interface RoundTrip {
  legs: Leg[];
  /** The server the CNAME serves at the end, and its region. */
  primary: { name: string; region: string } | null;
  /** The pair's other member at the end, and its region. */
  replica: { name: string; region: string } | null;
  ok: boolean;
  problems: string[];
}

interface ReprotectView {
  id: string;
  outcome: string;
  step: string | null;
  message: string | null;
  result: ReprotectOutput | null;
}

export async function roundTrip(stack: Stack, say: (s: string) => void): Promise<RoundTrip> {
  const legs: Leg[] = [];
  const problems: string[] = [];
  const originalRegion = stack.lab.info.servers.primary.region;
  const failover = async (name: string, reason: string): Promise<FailoverOutput | undefined> => {
    const t = Date.now();
    const r = await stack.api.post<{ id: string }>("/api/failovers", { pair: stack.pair, option: "Planned", reason });
    if (r.status !== 202) {
      problems.push(`${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return undefined;
    }
    say(`\n${name}: POST /api/failovers (Planned) → 202 ${r.body.id}`);
    const view = await followFailover(stack.api, r.body.id, {
      timeoutMs: 600_000,
      onStep: (step, message) => say(`  ${((Date.now() - t) / 1000).toFixed(1).padStart(6)}s > ${step}: ${message}`),
    });
    const out = view.result;
    legs.push({
      name,
      kind: "failover",
      id: r.body.id,
      outcome: out?.outcome ?? view.runtimeStatus,
      seconds: (Date.now() - t) / 1000,
      note: out ? `${out.from} → ${out.to}, RTO ${out.rto.total ?? "?"} s` : "",
    });
    if (out) say(phaseTable(out));
    if (out?.outcome !== "succeeded")
      problems.push(`${name} ended ${out?.outcome ?? view.runtimeStatus}: ${out?.reason ?? ""}`);
    return out ?? undefined;
  };
  const reprotect = async (name: string): Promise<ReprotectOutput | undefined> => {
    const t = Date.now();
    const r = await stack.api.post<{ id: string }>(`/api/pairs/${stack.pair}/reprotect`, {
      reason: `npm run drill --round-trip: ${name}`,
      retireOld: "keep",
    });
    if (r.status !== 202) {
      problems.push(`${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return undefined;
    }
    say(`\n${name}: POST /api/pairs/${stack.pair}/reprotect → 202 ${r.body.id}`);
    let last = "";
    for (;;) {
      const v = await stack.api.get<ReprotectView>(`/api/reprotects/${encodeURIComponent(r.body.id)}`);
      const line = `${v.body.step}: ${v.body.message}`;
      if (v.status === 202 && line !== last) say(`  ${((Date.now() - t) / 1000).toFixed(1).padStart(6)}s > ${line}`);
      last = line;
      if (v.status === 200) {
        const out = v.body.result;
        legs.push({
          name,
          kind: "reprotect",
          id: r.body.id,
          outcome: out?.outcome ?? v.body.outcome,
          seconds: (Date.now() - t) / 1000,
          note: out?.replica ? `new replica ${out.replica.name} (${out.replica.location}) of ${out.primary}` : "",
        });
        for (const p of out?.phases ?? [])
          say(
            `    ${p.phase.padEnd(10)} ${p.seconds.toFixed(2).padStart(8)} s  ${p.outcome}${p.note ? `  ${p.note}` : ""}`,
          );
        if (out?.outcome !== "succeeded")
          problems.push(`${name} ended ${out?.outcome ?? v.body.outcome}: ${out?.code ?? ""} ${out?.reason ?? ""}`);
        return out ?? undefined;
      }
      if (Date.now() - t > 900_000) {
        problems.push(`${name} did not finish within 15 min (last: ${line})`);
        return undefined;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
  };

  const legsInOrder = [
    () => failover("1. failover", "npm run drill --round-trip: fail over to the other region"),
    () => reprotect("2. re-protect the original region"),
    () => failover("3. failback", "npm run drill --round-trip: fail back to the original region"),
    () => reprotect("4. re-protect the other region"),
  ];
  for (const leg of legsInOrder) if (!(await leg())) break; // a leg that failed ends the trip

  // The pair as the app sees it at the end (its membership, which server the CNAME serves), the lab's truth beside it.
  const pairs = await stack.api.get<{ pairs: { name: string; servers: { name: string; servesCname: boolean }[] }[] }>(
    "/api/pairs",
  );
  const members = pairs.body.pairs.find((p) => p.name === stack.pair)?.servers ?? [];
  const all = stack.lab.allServers();
  const byName = (n: string | undefined) => all.find((x) => x.info.name === n);
  const primaryInfo = byName(members.find((m) => m.servesCname)?.name);
  const other = byName(members.find((m) => !m.servesCname)?.name);
  const primary = primaryInfo ? { name: primaryInfo.info.name, region: primaryInfo.info.region } : null;
  const replica = other ? { name: other.info.name, region: other.info.region } : null;
  if (!primary || primary.region !== originalRegion)
    problems.push(
      `the primary is ${primary?.name ?? "unknown"} in ${primary?.region ?? "?"}, not in ${originalRegion}`,
    );
  if (!replica || replica.region === originalRegion || other?.source !== primary?.name)
    problems.push(
      `the pair's other member ${replica?.name ?? "none"} is not a replica of the primary in the other region`,
    );
  return { legs, primary, replica, ok: problems.length === 0, problems };
}
