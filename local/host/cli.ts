#!/usr/bin/env node
// `npm start`: run the app in this directory (or --app) under the local durable host.
import { parseArgs, USAGE } from "./cli-args";
import { startHost } from "./host";

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`[host] ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const host = await startHost(opts);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ ready: true, url: host.url, functionKey: host.functionKey, masterKey: host.masterKey }) + "\n",
    );
  } else {
    // Keys are printed only when generated for this run, and only here.
    if (host.keysGenerated)
      process.stdout.write(`[host] generated keys: functionKey=${host.functionKey} masterKey=${host.masterKey}\n`);
    process.stdout.write(`[host] listening on ${host.url}\n`);
  }
  const shutdown = (sig: string) => {
    process.stdout.write(`[host] ${sig}: stopping\n`);
    void host.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`[host] cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
