// The token credential the app uses for ARM and for Entra logins to PostgreSQL. In Azure: the Function
// App's managed identity. In the lab and tests: a static token (never a credential that probes IMDS).
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { AppConfig } from "../config/settings";

export function createCredential(cfg: AppConfig["credential"]): TokenCredential {
  switch (cfg.kind) {
    case "staticToken":
      return staticTokenCredential(cfg.staticToken!);
    case "default":
      return new DefaultAzureCredential(
        cfg.managedIdentityClientId ? { managedIdentityClientId: cfg.managedIdentityClientId } : {},
      );
    case "managedIdentity":
      return cfg.managedIdentityClientId
        ? new ManagedIdentityCredential({ clientId: cfg.managedIdentityClientId })
        : new ManagedIdentityCredential();
  }
}

export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}
