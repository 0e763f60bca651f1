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

const created = new WeakMap<TableClient, Promise<void>>();

/** Creates the client's table once per client (idempotent on the service); a failure is retried next time. */
export function ensureTable(table: TableClient): Promise<void> {
  let p = created.get(table);
  if (!p) {
    p = table.createTable().catch((e: unknown) => {
      created.delete(table);
      throw e;
    });
    created.set(table, p);
  }
  return p;
}
