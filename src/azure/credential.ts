// The token credential the app uses for ARM and for Entra logins to PostgreSQL. In Azure: the Function
// App's managed identity. In the lab and tests: a static token (never a credential that probes IMDS).
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type * as Identity from "@azure/identity";
import type { CredentialConfig } from "../config/settings";

/**
 * @azure/identity on first use only: loading it costs about 0.2 s of CPU, which the lab, the tests and every
 * process that only needs a static token (or staticTokenCredential) would pay at start for nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const identity = (): typeof Identity => require("@azure/identity") as typeof Identity;

export function createCredential(cfg: CredentialConfig): TokenCredential {
  switch (cfg.kind) {
    case "staticToken":
      return staticTokenCredential(cfg.token);
    case "default":
      return new (identity().DefaultAzureCredential)(cfg.clientId ? { managedIdentityClientId: cfg.clientId } : {});
    case "managedIdentity":
      return cfg.clientId
        ? new (identity().ManagedIdentityCredential)({ clientId: cfg.clientId })
        : new (identity().ManagedIdentityCredential)();
  }
}

export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}
