// Measures lab start/stop times and promote → writable time through the emulator (real SDK, real pg_promote).
// Usage: node dist/local/lab/bench.js [runs=5] [promoteDelayMs=0]
import pg from "pg";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { startLab } from "./lab";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
    start.push(performance.now() - t);
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
    promote.push(performance.now() - t);
    await c.end();
    t = performance.now();
    await lab.stop();
    stop.push(performance.now() - t);
    process.stderr.write(
      `run ${i + 1}: start ${start[i].toFixed(0)} ms, promote→writable ${promote[i].toFixed(0)} ms, stop ${stop[i].toFixed(0)} ms\n`,
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
