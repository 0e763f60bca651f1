// `npm run lab`: start the two-region lab, print how to use it, run until Ctrl-C/SIGTERM, then clean up.
// Options: --pairs N, --json (one JSON object on stdout, logs on stderr), --profile fast|azure [--seed N],
// --promote-delay-ms N, --pg-bin DIR,
// --zone NAME, --base-dir DIR, --keep-dir, --no-azurite, --arm-throttle, --quiet.
import { parseArgs } from "node:util";
import { describeLab } from "./describe";
import { startLab } from "./lab";
import { parseProfile } from "./pace";
import type { LabOptions } from "./types";

interface CliArgs {
  json: boolean;
  quiet: boolean;
  options: LabOptions;
}

const USAGE =
  "usage: npm run lab -- [--pairs N] [--json] [--profile fast|azure] [--seed N] [--promote-delay-ms N] [--pg-bin DIR] [--zone NAME] [--base-dir DIR] [--keep-dir] [--no-azurite] [--arm-throttle] [--quiet]\n";

function parseCli(argv: string[]): CliArgs {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      json: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      "keep-dir": { type: "boolean" },
      "no-azurite": { type: "boolean" },
      "arm-throttle": { type: "boolean" },
      pairs: { type: "string" },
      "promote-delay-ms": { type: "string" },
      profile: { type: "string" },
      seed: { type: "string" },
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
  const pairs = v.pairs === undefined ? undefined : Number(v.pairs);
  if (pairs !== undefined && !(Number.isInteger(pairs) && pairs >= 1))
    throw new Error("--pairs must be a whole number >= 1");
  return {
    json: v.json,
    quiet: v.quiet,
    options: {
      pairs,
      armThrottle: v["arm-throttle"] ? true : undefined,
      keepDir: v["keep-dir"],
      // A lab people run has its Azurite, even under a test run's environment.
      azurite: !v["no-azurite"],
      promoteDelayMs,
      ...parseProfile(v.profile, v.seed),
      pgBinDir: v["pg-bin"],
      zone: v.zone,
      baseDir: v["base-dir"],
    },
  };
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
  else process.stdout.write(describeLab(lab.info) + "\n");
  setInterval(() => undefined, 1 << 30); // keep running until a signal
}

main().catch((e: Error) => {
  process.stderr.write(`[lab] failed: ${e.message}\n`);
  process.exit(1);
});
