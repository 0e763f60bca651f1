// Parses the CLI flags of `node dist/local/host/cli.js`.
import type { HostOptions } from "./host";

export interface CliOptions extends HostOptions {
  json: boolean;
  help: boolean;
}

export const USAGE = `Usage: node dist/local/host/cli.js [options]
  --app <dir>        app directory (package.json "main", host.json, local.settings.json); default: cwd
  --settings <file>  settings file in local.settings.json shape (Values, Host)
  --data <dir>       instance state directory; default: <app>/.localhost-data
  --port <n>         port on 127.0.0.1; default 7071; 0 = any free port
  --virtual-clock    fire durable timers at once (tests)
  --json             print one JSON ready line: {"ready":true,"url":...,"functionKey":...,"masterKey":...}
  --help             this text`;

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { json: false, help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case "--app":
        o.appDir = value(i++, a);
        break;
      case "--settings":
        o.settingsFile = value(i++, a);
        break;
      case "--data":
        o.dataDir = value(i++, a);
        break;
      case "--port": {
        const p = Number(value(i++, a));
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`--port must be 0..65535`);
        o.port = p;
        break;
      }
      case "--virtual-clock":
        o.virtualClock = true;
        break;
      case "--json":
        o.json = true;
        break;
      case "--help":
      case "-h":
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}
