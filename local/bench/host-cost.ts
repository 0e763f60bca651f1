// The local host's own cost: one episode's replay at growing history lengths (a process of its own, see
// replay-cost.ts), and how many trivial orchestrations (one activity each) the host completes per second, the
// fixture app under the host in its own process with a virtual clock.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnHost } from "../host/spawn";
import { runScript } from "./child";
import type { ReplayCost } from "./replay-cost";

export const BENCH_APP = path.resolve(__dirname, "../../../test/fixtures/bench-app");

export function replayCost(lengths: number[], reps: number): Promise<ReplayCost[]> {
  return runScript<ReplayCost[]>("replay-cost.js", [lengths.join(","), String(reps)]);
}

/** Orchestrations completed per second, one figure per batch of `n` started at once. */
export async function orchestrationsPerSecond(n: number, batches: number, log: (l: string) => void): Promise<number[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "pgflex-bench-host-"));
  const host = await spawnHost({ appDir: BENCH_APP, dataDir, virtualClock: true, readyTimeoutMs: 60_000 });
  try {
    const rates: number[] = [];
    for (let b = 0; b < batches; b++) {
      const prefix = `batch${b}`;
      const t0 = performance.now();
      const res = await fetch(new URL("/api/bench/start", host.url), {
        method: "POST",
        headers: { "content-type": "application/json", "x-functions-key": host.functionKey },
        body: JSON.stringify({ name: "trivial", n, prefix }),
      });
      if (res.status !== 202) throw new Error(`bench/start answered ${res.status}: ${await res.text()}`);
      await completed(host.url, host.masterKey, prefix, n);
      const seconds = (performance.now() - t0) / 1000;
      rates.push(n / seconds);
      log(`host: ${n} trivial orchestrations in ${seconds.toFixed(3)} s`);
    }
    return rates;
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Waits until the instances with this prefix have all completed (the Durable HTTP API's instance query). */
async function completed(url: string, key: string, prefix: string, n: number): Promise<void> {
  const q = new URL("/runtime/webhooks/durabletask/instances", url);
  q.searchParams.set("instanceIdPrefix", `${prefix}-`);
  q.searchParams.set("code", key);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(q);
    const list = (await res.json()) as { runtimeStatus: string }[];
    if (!Array.isArray(list)) throw new Error(`instance query answered ${res.status}: ${JSON.stringify(list)}`);
    const failed = list.filter((i) => i.runtimeStatus === "Failed" || i.runtimeStatus === "Terminated");
    if (failed.length) throw new Error(`${failed.length} trivial orchestration(s) did not complete`);
    if (list.filter((i) => i.runtimeStatus === "Completed").length === n) return;
    if (Date.now() > deadline) throw new Error(`the trivial orchestrations did not complete within 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
