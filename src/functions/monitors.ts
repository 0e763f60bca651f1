// Timer-triggered monitors: the lag sampler (the data at risk a forced failover reports, every minute; then one
// `pgflex.readiness` log record per pair, which the template's log search alert watches) and
// the fence watch (old primaries fenced when they come back, every 5 seconds: a returning old primary takes
// writes until it is fenced, so it must be reached within seconds of its first answer; a sweep with no fence
// owed is one state-table read per pair). Run one now with the host's admin API (POST
// /admin/functions/<name> with the master key).
import { app, type InvocationContext } from "@azure/functions";
import { watchFences } from "../app/fence-watch";
import { sampleAllPairs } from "../app/lag-sampler";
import { emitReadiness, sweepPairs } from "../app/readiness-records";
import { services } from "../app/services";

services(); // validate the configuration at start-up

app.timer("lag-sampler", {
  schedule: "0 */1 * * * *",
  handler: async (_timer, context: InvocationContext) => {
    const { config, deps } = services();
    const warn = (line: string) => context.warn(line);
    const pairs = await sweepPairs(
      deps,
      config.pairs.map((p) => p.name),
      warn,
    );
    await sampleAllPairs(deps, pairs, warn);
    // After the sample, so the record reflects it.
    await emitReadiness(deps, pairs, (line) => context.log(line), warn);
  },
});

app.timer("fence-watch", {
  schedule: "*/5 * * * * *",
  handler: async () => {
    const { config, deps } = services();
    await watchFences(deps, config.pairs);
  },
});
