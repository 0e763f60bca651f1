// Registers the orchestrations (a failover; a region evacuation, whose pairs are failovers; a re-protection) and their
// activities with the Functions host, from the one typed table of activities (src/activities/catalog.ts).
import * as df from "durable-functions";
import { ACTIVITY_NAMES, ORCHESTRATION, type ActivityInput, type ActivityKey } from "../activities/catalog";
import { services } from "../app/services";
import { evacuationOrchestrator } from "../orchestrations/evacuation";
import { failoverOrchestrator } from "../orchestrations/failover";
import { reprotectOrchestrator } from "../orchestrations/reprotect";

services(); // validate the configuration at start-up

df.app.orchestration(ORCHESTRATION.failover, failoverOrchestrator);
df.app.orchestration(ORCHESTRATION.evacuation, evacuationOrchestrator);
df.app.orchestration(ORCHESTRATION.reprotect, reprotectOrchestrator);

function register<K extends ActivityKey>(key: K): void {
  df.app.activity(ACTIVITY_NAMES[key], { handler: (input: ActivityInput<K>) => services().activities[key](input) });
}
for (const key of Object.keys(ACTIVITY_NAMES) as ActivityKey[]) register(key);
