// Adapter over @azure/arm-resourcehealth: what Azure Resource Health says of one resource now. An alert's
// automatic failover needs Azure's own word that the primary is unavailable, not only that our probe fails
// (a refused login is not an outage) and not ARM's provisioning state, which stays "Ready" in an outage.
// Source: "Availability Statuses - Get By Resource" (Microsoft.ResourceHealth, api-version 2022-10-01):
// properties.availabilityState is Available | Unavailable | Degraded | Unknown, with summary and reasonType.
import { MicrosoftResourceHealth } from "@azure/arm-resourcehealth";
import type { TokenCredential } from "@azure/core-auth";
import type { AppConfig } from "../config/settings";
import { parseServerId } from "../config/pair-schema";
import { perSubscription } from "./client-cache";
import { armClientOptions } from "./client-options";
import { armCall } from "./errors";

export interface Availability {
  state: "Available" | "Unavailable" | "Degraded" | "Unknown";
  summary: string | null;
  reasonType: string | null;
}

export interface ResourceHealth {
  availability(resourceId: string): Promise<Availability>;
}

export class ArmResourceHealth implements ResourceHealth {
  private readonly client: (subscriptionId: string) => MicrosoftResourceHealth;

  constructor(credential: TokenCredential, arm: AppConfig["arm"]) {
    this.client = perSubscription((sub) => new MicrosoftResourceHealth(credential, sub, armClientOptions(arm)));
  }

  async availability(resourceId: string): Promise<Availability> {
    const { subscriptionId, name } = parseServerId(resourceId);
    // The SDK's path is "/{resourceUri}/providers/…" with the URI unescaped: a leading "/" would make
    // "//subscriptions/…", which a URL parser reads as a host name.
    const resourceUri = resourceId.replace(/^\/+/, "");
    const s = await armCall(`read the Resource Health of ${name}`, () =>
      this.client(subscriptionId).availabilityStatuses.getByResource(resourceUri),
    );
    const p = s.properties;
    return {
      state: availabilityState(p?.availabilityState),
      summary: p?.summary ?? null,
      reasonType: p?.reasonType ?? null,
    };
  }
}

function availabilityState(v: string | undefined): Availability["state"] {
  return v === "Available" || v === "Unavailable" || v === "Degraded" ? v : "Unknown";
}
