// Table Storage clients on the Function App's own storage account: by connection string (Azurite, or a
// key-based account) or by service URI with the managed identity (shared keys off).
import type { TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import type { AuditStorageConfig } from "../config/settings";

export function tableClient(storage: AuditStorageConfig, table: string, credential: TokenCredential): TableClient {
  if (storage.kind === "tableServiceUri") return new TableClient(storage.tableServiceUri, table, credential);
  const local = /UseDevelopmentStorage=true|http:\/\/127\.|http:\/\/localhost/i.test(storage.connectionString);
  return TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: local });
}
