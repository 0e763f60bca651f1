// What `npm run lab` prints: the lab's endpoints and ready-to-paste psql / dig / curl lines, including how to get
// an access token from the lab's issuer.
import type { LabInfo } from "./types";

export function describeLab(info: LabInfo): string {
  const { primary: p, replica: r } = info.servers;
  const pgBase = (host: string, hostaddr: string, mode: string, user: string): string =>
    `PGPASSWORD='${user === info.postgres.admin.user ? info.postgres.admin.password : info.postgres.app.password}' psql "host=${host} hostaddr=${hostaddr} port=${info.postgres.port} dbname=postgres user=${user} sslmode=${mode} sslrootcert=${info.caFile}"`;
  const zoneBase = `${info.arm.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${info.zone}`;
  const srvBase = (name: string): string =>
    `${info.arm.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  const curl = `curl -sS --cacert ${info.caFile} -H "Authorization: Bearer ${info.arm.token}"`;
  const id = info.identity;
  return [
    "",
    "pgflex two-region lab is running (Ctrl-C to stop and clean up)",
    "",
    `  lab dir        ${info.dir}`,
    `  CA             ${info.caFile}   (rogue CA: ${info.rogueCaFile})`,
    `  settings file  ${info.settingsFile}`,
    `  ARM emulator   ${info.arm.endpoint}   token ${info.arm.token}`,
    `  subscription   ${info.subscriptionId}   resource group ${info.resourceGroup}`,
    `  DNS            ${info.dns.host}:${info.dns.port} (UDP+TCP)   zone ${info.zone}`,
    `  CNAME          ${info.cnameRecord}.${info.zone} -> ${p.aRecordFqdn} (TTL ${info.cnameTtl})`,
    `  primary        ${p.name} (${p.region})  ${p.fqdn}  A ${p.aRecordFqdn} = ${p.address}:${info.postgres.port}`,
    `  replica        ${r.name} (${r.region})  ${r.fqdn}  A ${r.aRecordFqdn} = ${r.address}:${info.postgres.port}`,
    ...otherPairs(info),
    `  admin / app    ${info.postgres.admin.user} / ${info.postgres.app.user}`,
    `  Azurite table  ${info.azurite.tableEndpoint || "(disabled)"}`,
    `  token issuer   ${id.issuer}   (tenant ${id.tenantId})`,
    `  app client id  ${id.clientId}   (tokens' aud; Easy Auth settings ${id.authSettingsFile})`,
    "",
    "  # DNS",
    `  dig @${info.dns.host} -p ${info.dns.port} ${info.cnameRecord}.${info.zone}`,
    `  dig @${info.dns.host} -p ${info.dns.port} +tcp ${r.fqdn}`,
    "  # PostgreSQL: verify-full by a server's own name; verify-ca through the CNAME (its name is in no certificate)",
    `  ${pgBase(p.fqdn, p.address, "verify-full", info.postgres.admin.user)}`,
    `  ${pgBase(`${info.cnameRecord}.${info.zone}`, `$(dig +short @${info.dns.host} -p ${info.dns.port} ${info.cnameRecord}.${info.zone} | tail -1)`, "verify-ca", info.postgres.app.user)}`,
    "  # ARM",
    `  ${curl} "${zoneBase}/CNAME/${info.cnameRecord}?api-version=2020-06-01"`,
    `  ${curl} "${srvBase(r.name)}?api-version=2025-08-01"`,
    `  ${curl} -X PATCH -H "Content-Type: application/json" -d '{"properties":{"replica":{"promoteMode":"Standalone","promoteOption":"Planned"}}}' -i "${srvBase(r.name)}?api-version=2025-08-01"`,
    "  # faults and regions (lab control API)",
    `  ${curl} -X POST -H "Content-Type: application/json" -d '{"kind":"status","status":503,"path":"/flexibleServers/","times":2}' ${info.arm.endpoint}/_lab/faults`,
    `  ${curl} -X DELETE ${info.arm.endpoint}/_lab/faults`,
    `  ${curl} -X POST ${info.arm.endpoint}/_lab/regions/${p.region}/down`,
    `  ${curl} ${info.arm.endpoint}/_lab/requests`,
    "  # identity: an access token for a lab user with app roles (needs the lab token); send it to the app as",
    '  # "Authorization: Bearer $TOKEN" — the local host validates it like Easy Auth',
    `  ${tokenLine(info, curl)}`,
    `  curl -sS --cacert ${info.caFile} ${id.metadataUrl}`,
    "",
  ].join("\n");
}

/** Pair 0 is described above; every other pair in one line each (its CNAME and its two servers). */
function otherPairs(info: LabInfo): string[] {
  const rest = (info.pairs ?? []).slice(1);
  if (rest.length === 0) return [];
  const server = (s: LabInfo["servers"]["primary"]): string => `${s.name} (${s.region}) ${s.address}`;
  return [
    `  pairs          ${info.pairs.length}: ${info.pairs.map((p) => `${p.name} → ${p.cnameRecord}`).join(", ")}`,
    ...rest.map(
      (p) =>
        `  ${p.name.padEnd(14)} ${p.cnameRecord}.${info.zone}: primary ${server(p.servers.primary)}, replica ${server(p.servers.replica)}`,
    ),
  ];
}

/** Sets TOKEN in the shell: node reads the JSON answer (node is there wherever the lab runs; jq may not be). */
export function tokenLine(info: LabInfo, curl: string): string {
  const body = JSON.stringify({ user: "alice", roles: ["Failover.Read", "Failover.Request"] });
  const read = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  return `TOKEN=$(${curl} -H "Content-Type: application/json" -d '${body}' ${info.identity.tokenEndpoint} | ${read})`;
}
