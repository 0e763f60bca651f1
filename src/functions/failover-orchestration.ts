// Registers the failover orchestration and its activities with the Functions host.
import * as df from "durable-functions";
import { ACTIVITY, ORCHESTRATION } from "../activities/names";
import { services } from "../app/services";
import { failoverOrchestrator } from "../orchestrations/failover";

services(); // validate the configuration at start-up

df.app.orchestration(ORCHESTRATION.failover, failoverOrchestrator);

type Activities = ReturnType<typeof services>["activities"];
const register = <K extends keyof Activities>(name: string, key: K) =>
  df.app.activity(name, {
    handler: (input: Parameters<Activities[K]>[0]) => services().activities[key](input as never),
  });

register(ACTIVITY.preflight, "preflight");
register(ACTIVITY.lowerTtl, "lowerTtl");
register(ACTIVITY.promote, "promote");
register(ACTIVITY.checkPromotion, "checkPromotion");
register(ACTIVITY.repointCname, "repointCname");
register(ACTIVITY.verify, "verify");
register(ACTIVITY.restoreTtl, "restoreTtl");
register(ACTIVITY.recordEvent, "recordEvent");
