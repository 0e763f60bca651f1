// The app's own activity dependencies (src/app/services.ts) wired to a running lab: the ARM emulator with
// the lab's token, the lab DNS, the probe's least-privilege login. For lab tests that run one activity.
import type { ActivityDeps } from "../../src/activities/deps";
import { buildServices } from "../../src/app/services";
import { loadConfig } from "../../src/config/settings";
import { MemoryPairMembers } from "../../src/state/pair-members";
import type { ServerRef } from "../../src/domain/facts";
import { serverRefs } from "../../src/domain/pair-refs";
import type { Lab } from "../../local/lab";
import { appSettingsFor } from "../../local/lab/app-settings";
import { credentialFor } from "./helpers";

export function labDeps(lab: Lab): ActivityDeps {
  // A lab without Azurite: the audit and state tables are built but never called by these tests, and stored
  // memberships live in memory (none: each pair is its configured servers).
  return buildServices(labConfig(lab), credentialFor(lab), new MemoryPairMembers()).deps;
}

const labConfig = (lab: Lab) =>
  loadConfig({ ...appSettingsFor(lab.info), AzureWebJobsStorage: "UseDevelopmentStorage=true" });

/** Pair 0's server that was the primary (or replica) at start, as the orchestrator hands it to activities. */
export function labServerRef(lab: Lab, key: "primary" | "replica"): ServerRef {
  const [primary, replica] = serverRefs(labConfig(lab).pairs[0]!);
  return { ...(key === "primary" ? primary : replica), fqdn: lab.info.servers[key].fqdn };
}
