// `npm run lab`: start the two-region lab, print how to use it, run until Ctrl-C/SIGTERM, then clean up.
// Options: --json (one JSON object on stdout, logs on stderr), --promote-delay-ms N, --pg-bin DIR,
// --zone NAME, --base-dir DIR, --keep-dir, --no-azurite, --quiet.
import { startLab, type Lab } from "./lab";
import type { LabInfo, LabOptions } from "./types";

interface CliArgs {
  json: boolean;
  quiet: boolean;
  options: LabOptions;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { json: false, quiet: false, options: {} };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--json":
        args.json = true;
        break;
      case "--quiet":
        args.quiet = true;
        break;
      case "--keep-dir":
        args.options.keepDir = true;
        break;
      case "--no-azurite":
        args.options.azurite = false;
        break;
      case "--promote-delay-ms":
        args.options.promoteDelayMs = Number(value(i++, a));
        break;
      case "--pg-bin":
        args.options.pgBinDir = value(i++, a);
        break;
      case "--zone":
        args.options.zone = value(i++, a);
        break;
      case "--base-dir":
        args.options.baseDir = value(i++, a);
        break;
      case "-h":
      case "--help":
        process.stdout.write(
          "usage: npm run lab -- [--json] [--promote-delay-ms N] [--pg-bin DIR] [--zone NAME] [--base-dir DIR] [--keep-dir] [--no-azurite] [--quiet]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a} (try --help)`);
    }
  }
  if (args.options.promoteDelayMs !== undefined && !(args.options.promoteDelayMs >= 0))
    throw new Error("--promote-delay-ms must be a number >= 0");
  return args;
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
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => {
    if (!args.quiet) process.stderr.write(`[lab] ${line}\n`);
  };
  let lab: Lab | undefined;
  let exiting = false;
  const shutdown = async (why: string, code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    log(`${why}: stopping`);
    try {
      await lab?.stop();
    } finally {
      process.exit(code);
    }
  };
  // A signal during startup is honoured once the start settles (startLab cleans up itself on failure).
  let pending: [string, number] | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (lab) void shutdown(sig, 0);
    else pending = [sig, 130];
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("uncaughtException", (e) => {
    process.stderr.write(`[lab] uncaught: ${e.stack ?? e}\n`);
    void shutdown("uncaughtException", 1);
  });
  process.on("unhandledRejection", (e) => {
    process.stderr.write(`[lab] unhandled rejection: ${String(e)}\n`);
    void shutdown("unhandledRejection", 1);
  });

  lab = await startLab({ ...args.options, log });
  if (pending) return shutdown(...pending);
  if (args.json) process.stdout.write(JSON.stringify({ ...lab.info, pids: lab.pids() }) + "\n");
  else process.stdout.write(describe(lab.info) + "\n");
  setInterval(() => undefined, 1 << 30); // keep running until a signal
}

main().catch((e: Error) => {
  process.stderr.write(`[lab] failed: ${e.message}\n`);
  process.exit(1);
});
