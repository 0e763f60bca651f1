// The token credential the app uses for ARM and for Entra logins to PostgreSQL. In Azure: the Function
// App's managed identity. In the lab and tests: a static token (never a credential that probes IMDS).
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { CredentialConfig } from "../config/settings";

export function createCredential(cfg: CredentialConfig): TokenCredential {
  switch (cfg.kind) {
    case "staticToken":
      return staticTokenCredential(cfg.token);
    case "default":
      return new DefaultAzureCredential(cfg.clientId ? { managedIdentityClientId: cfg.clientId } : {});
    case "managedIdentity":
      return cfg.clientId ? new ManagedIdentityCredential({ clientId: cfg.clientId }) : new ManagedIdentityCredential();
  }
}

export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}
