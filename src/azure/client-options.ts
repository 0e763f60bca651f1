import type { AppConfig } from "../config/settings";
import { sdkTryRecorderPolicy } from "./sdk-retries";

/**
 * Options shared by the ARM SDK clients: the endpoint (Azure or the lab), for the lab its CA, and the
 * per-try policy that puts the SDK's own retries into the audit.
 */
export function armClientOptions(arm: AppConfig["arm"]) {
  return {
    endpoint: arm.endpoint,
    credentialScopes: [`${arm.endpoint}/.default`],
    additionalPolicies: [{ policy: sdkTryRecorderPolicy(), position: "perRetry" as const }],
    ...(arm.caPem ? { tlsOptions: { ca: arm.caPem } } : {}),
  };
}
