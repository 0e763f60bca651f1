// `npm run lab`: start the two-region lab, print how to use it, run until Ctrl-C/SIGTERM, then clean up.
// Options: --json (one JSON object on stdout, logs on stderr), --promote-delay-ms N, --pg-bin DIR,
// --zone NAME, --base-dir DIR, --keep-dir, --no-azurite, --quiet.
import { parseArgs } from "node:util";
import { startLab } from "./lab";
import type { LabInfo, LabOptions } from "./types";

interface CliArgs {
  json: boolean;
  quiet: boolean;
  options: LabOptions;
}

const USAGE =
  "usage: npm run lab -- [--json] [--promote-delay-ms N] [--pg-bin DIR] [--zone NAME] [--base-dir DIR] [--keep-dir] [--no-azurite] [--quiet]\n";

function parseCli(argv: string[]): CliArgs {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      "keep-dir": { type: "boolean" },
      "no-azurite": { type: "boolean" },
      "promote-delay-ms": { type: "string" },
      "pg-bin": { type: "string" },
      zone: { type: "string" },
      "base-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const promoteDelayMs = v["promote-delay-ms"] === undefined ? undefined : Number(v["promote-delay-ms"]);
  if (promoteDelayMs !== undefined && !(promoteDelayMs >= 0))
    throw new Error("--promote-delay-ms must be a number >= 0");
  return {
    json: v.json,
    quiet: v.quiet,
    options: {
      keepDir: v["keep-dir"],
      azurite: v["no-azurite"] ? false : undefined,
      promoteDelayMs,
      pgBinDir: v["pg-bin"],
      zone: v.zone,
      baseDir: v["base-dir"],
    },
  };
}

function describe(info: LabInfo): string {
  const { primary: p, replica: r } = info.servers;
  const pgBase = (host: string, hostaddr: string, mode: string, user: string): string =>
    `PGPASSWORD='${user === info.postgres.admin.user ? info.postgres.admin.password : info.postgres.app.password}' psql "host=${host} hostaddr=${hostaddr} port=${info.postgres.port} dbname=postgres user=${user} sslmode=${mode} sslrootcert=${info.caFile}"`;
  const zoneBase = `${info.arm.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${info.zone}`;
  const srvBase = (name: string): string =>
    `${info.arm.endpoint}/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  const curl = `curl -sS --cacert ${info.caFile} -H "Authorization: Bearer ${info.arm.token}"`;
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
    `  admin / app    ${info.postgres.admin.user} / ${info.postgres.app.user}`,
    `  Azurite table  ${info.azurite.tableEndpoint || "(disabled)"}`,
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
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const args = parseCli(process.argv.slice(2));
  const log = (line: string): void => {
    if (!args.quiet) process.stderr.write(`[lab] ${line}\n`);
  };
  const starting = startLab({ ...args.options, log });
  let ready = false;
  let exiting = false;
  const shutdown = (why: string, code: number): void => {
    if (exiting) return;
    exiting = true;
    log(`${why}: stopping`);
    // During startup this waits for the start to settle (a failed start has cleaned up after itself).
    void starting
      .then(
        (lab) => lab.stop(),
        () => undefined,
      )
      .finally(() => process.exit(code));
  };
  const onSignal = (sig: NodeJS.Signals): void => shutdown(sig, ready ? 0 : 130);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("uncaughtException", (e) => {
    process.stderr.write(`[lab] uncaught: ${e.stack ?? e}\n`);
    shutdown("uncaughtException", 1);
  });
  process.on("unhandledRejection", (e) => {
    process.stderr.write(`[lab] unhandled rejection: ${String(e)}\n`);
    shutdown("unhandledRejection", 1);
  });

  const lab = await starting;
  ready = true;
  if (exiting) return;
  if (args.json) process.stdout.write(JSON.stringify({ ...lab.info, pids: lab.pids() }) + "\n");
  else process.stdout.write(describe(lab.info) + "\n");
  setInterval(() => undefined, 1 << 30); // keep running until a signal
}

main().catch((e: Error) => {
  process.stderr.write(`[lab] failed: ${e.message}\n`);
  process.exit(1);
});
