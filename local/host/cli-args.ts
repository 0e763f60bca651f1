// Parses the CLI flags of `node dist/local/host/cli.js` (node:util parseArgs, strict).
import { parseArgs as parseNodeArgs } from "node:util";
import type { HostOptions } from "./host";

export interface CliOptions extends HostOptions {
  json: boolean;
  help: boolean;
}

export const USAGE = `Usage: node dist/local/host/cli.js [options]
  --app <dir>        app directory (package.json "main", host.json, local.settings.json); default: cwd
  --settings <file>  settings file in local.settings.json shape (Values, Host)
  --auth-settings <file>
                     authsettingsV2 file for App Service Authentication (used when WEBSITE_AUTH_ENABLED
                     is True; default: LOCALHOST_AUTH_SETTINGS_FILE)
  --data <dir>       instance state directory; default: <app>/.localhost-data
  --port <n>         port on 127.0.0.1; default 7071; 0 = any free port
  --virtual-clock    fire durable timers at once (tests); timer triggers keep real-time pacing
  --json             print one JSON ready line: {"ready":true,"url":...,"functionKey":...,"masterKey":...}
  -h, --help         this text`;

export function parseArgs(argv: string[]): CliOptions {
  const { values } = parseNodeArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      app: { type: "string" },
      settings: { type: "string" },
      "auth-settings": { type: "string" },
      data: { type: "string" },
      port: { type: "string" },
      "virtual-clock": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const o: CliOptions = { json: values.json === true, help: values.help === true };
  if (values.app !== undefined) o.appDir = values.app;
  if (values.settings !== undefined) o.settingsFile = values.settings;
  if (values["auth-settings"] !== undefined) o.authSettingsFile = values["auth-settings"];
  if (values.data !== undefined) o.dataDir = values.data;
  if (values.port !== undefined) {
    const p = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
    if (!(p >= 0 && p <= 65535)) throw new Error(`--port must be 0..65535`);
    o.port = p;
  }
  if (values["virtual-clock"]) o.virtualClock = true;
  return o;
}
