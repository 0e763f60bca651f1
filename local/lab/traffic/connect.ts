// How the traffic generator connects, as the least-privilege application role: through the CNAME with
// verify-ca (the CNAME is in no certificate), or to one server by its own A-record name with verify-full.
import type pg from "pg";
import type { LabInfo, ServerInfo } from "../types";
import type { NameResolver } from "./resolver";

const common = (info: LabInfo): pg.ClientConfig => ({
  port: info.postgres.port,
  database: info.postgres.database,
  user: info.postgres.writer.user,
  password: info.postgres.writer.password,
  application_name: "pgflex-traffic",
  connectionTimeoutMillis: 3000,
  // a write stuck on a dying server must end as a failure, not hold the generator
  query_timeout: 5000,
});

export function viaCname(info: LabInfo, resolver: NameResolver): pg.ClientConfig {
  return {
    ...common(info),
    host: `${info.cnameRecord}.${info.zone}`,
    stream: resolver.socketFactory() as unknown as pg.ClientConfig["stream"],
    ssl: { ca: info.caPem, rejectUnauthorized: true, checkServerIdentity: () => undefined },
  };
}

export function toServer(info: LabInfo, server: ServerInfo): pg.ClientConfig {
  return {
    ...common(info),
    host: server.address,
    ssl: { ca: info.caPem, rejectUnauthorized: true, servername: server.aRecordFqdn },
  };
}
