// Table Storage clients on the Function App's own storage account: by connection string (Azurite, or a
// key-based account) or by service URI with the managed identity (shared keys off).
import type { TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";

export type StorageRef = { connectionString?: string; tableServiceUri?: string };

export function tableClient(storage: StorageRef, table: string, credential: TokenCredential): TableClient {
  if (storage.connectionString) {
    const local = /UseDevelopmentStorage=true|http:\/\/127\.|http:\/\/localhost/i.test(storage.connectionString);
    return TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: local });
  }
  if (!storage.tableServiceUri) throw new Error("no table storage configured");
  return new TableClient(storage.tableServiceUri, table, credential);
}
