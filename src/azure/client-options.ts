import type { AppConfig } from "../config/settings";

/** Options shared by the ARM SDK clients: the endpoint (Azure or the lab) and, for the lab, its CA. */
export function armClientOptions(arm: AppConfig["arm"]) {
  return {
    endpoint: arm.endpoint,
    credentialScopes: [`${arm.endpoint}/.default`],
    ...(arm.caPem ? { tlsOptions: { ca: arm.caPem } } : {}),
  };
}
