// Measures lab start/stop times and promote → writable time through the emulator (real SDK, real pg_promote).
// Usage: node dist/local/lab/bench.js [runs=5] [promoteDelayMs=0]
import pg from "pg";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { startLab } from "./lab";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  // the middle element, or the mean of the two middle ones (the same index twice for an odd count)
  const lo = s[Math.ceil(s.length / 2) - 1] ?? NaN;
  const hi = s[Math.floor(s.length / 2)] ?? NaN;
  return (lo + hi) / 2;
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const promoteDelayMs = Number(process.argv[3] ?? 0);
  const start: number[] = [],
    stop: number[] = [],
    promote: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const lab = await startLab({ promoteDelayMs });
    const startMs = performance.now() - t;
    const { info } = lab;
    const client = new PostgreSQLManagementFlexibleServerClient(
      { getToken: async () => ({ token: info.arm.token, expiresOnTimestamp: Date.now() + 3600e3 }) },
      info.subscriptionId,
      { endpoint: info.arm.endpoint, tlsOptions: { ca: info.caPem }, retryOptions: { maxRetries: 0 } },
    );
    t = performance.now();
    await client.servers.beginUpdateAndWait(
      info.resourceGroup,
      info.servers.replica.name,
      { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
      { updateIntervalInMs: 25 },
    );
    const c = new pg.Client(lab.clientConfig("replica"));
    await c.connect();
    await c.query("insert into lab_writes(note) values ('bench')");
    const promoteMs = performance.now() - t;
    await c.end();
    t = performance.now();
    await lab.stop();
    const stopMs = performance.now() - t;
    start.push(startMs);
    promote.push(promoteMs);
    stop.push(stopMs);
    process.stderr.write(
      `run ${i + 1}: start ${startMs.toFixed(0)} ms, promote→writable ${promoteMs.toFixed(0)} ms, stop ${stopMs.toFixed(0)} ms\n`,
    );
  }
  console.log(
    JSON.stringify({
      runs,
      promoteDelayMs,
      medianMs: {
        start: Math.round(median(start)),
        stop: Math.round(median(stop)),
        promoteToWritable: Math.round(median(promote)),
      },
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
