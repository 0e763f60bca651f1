// Timer-triggered monitors: the lag sampler (the data at risk a forced failover reports) and the fence
// watch (old primaries fenced when they come back). Both run every minute; run one now with the host's
// admin API (POST /admin/functions/<name> with the master key).
import { app, type InvocationContext } from "@azure/functions";
import { watchFences } from "../app/fence-watch";
import { sampleAllPairs } from "../app/lag-sampler";
import { services } from "../app/services";

services(); // validate the configuration at start-up

app.timer("lag-sampler", {
  schedule: "0 */1 * * * *",
  handler: async (_timer, context: InvocationContext) => {
    const { config, deps } = services();
    await sampleAllPairs(deps, config.pairs, (line) => context.warn(line));
  },
});

app.timer("fence-watch", {
  schedule: "30 */1 * * * *",
  handler: async () => {
    const { config, deps } = services();
    await watchFences(deps, config.pairs);
  },
});
