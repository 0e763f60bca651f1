// Runs the host CLI in a child process and waits for its JSON ready line (for tests and tools).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface SpawnHostOptions {
  appDir: string;
  settingsFile?: string;
  /** --auth-settings: authsettingsV2 file for App Service Authentication. */
  authSettingsFile?: string;
  dataDir?: string;
  /** Default 0 (a free port). */
  port?: number;
  virtualClock?: boolean;
  /** Extra environment for the child (merged over process.env). */
  env?: NodeJS.ProcessEnv;
  /** Called with every stdout/stderr line of the child except the ready line. */
  onLine?: (line: string) => void;
  /** Default 30 s. */
  readyTimeoutMs?: number;
}

export interface SpawnedHost {
  url: string;
  functionKey: string;
  masterKey: string;
  child: ChildProcess;
  /** Sends a signal (e.g. "SIGKILL" for crash tests) and resolves when the child has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop (SIGTERM), resolves on exit. */
  stop(): Promise<void>;
}

/** Path of the compiled CLI next to this file. */
export const CLI_PATH = join(__dirname, "cli.js");

export function spawnHost(o: SpawnHostOptions): Promise<SpawnedHost> {
  const args = [CLI_PATH, "--json", "--app", o.appDir, "--port", String(o.port ?? 0)];
  if (o.settingsFile) args.push("--settings", o.settingsFile);
  if (o.authSettingsFile) args.push("--auth-settings", o.authSettingsFile);
  if (o.dataDir) args.push("--data", o.dataDir);
  if (o.virtualClock) args.push("--virtual-clock");
  // For a profile of the host a test or the bench starts (`PGFLEX_HOST_NODE_ARGS="--cpu-prof --cpu-prof-dir=D"`):
  // Node refuses --cpu-prof in NODE_OPTIONS.
  const nodeArgs = (process.env.PGFLEX_HOST_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...o.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const kill = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let ready = false;
    let stderr = "";
    const timer = setTimeout(() => {
      void kill("SIGKILL");
      reject(new Error(`host did not become ready within ${o.readyTimeoutMs ?? 30000} ms\n${stderr}`));
    }, o.readyTimeoutMs ?? 30000);
    const lines = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
      let buf = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    };
    lines(child.stdout!, (line) => {
      if (!ready && line.startsWith("{")) {
        try {
          const msg = JSON.parse(line) as { ready?: boolean; url: string; functionKey: string; masterKey: string };
          if (msg.ready) {
            ready = true;
            clearTimeout(timer);
            return resolve({
              url: msg.url,
              functionKey: msg.functionKey,
              masterKey: msg.masterKey,
              child,
              kill,
              stop: () => kill("SIGTERM"),
            });
          }
        } catch {
          /* not the ready line */
        }
      }
      o.onLine?.(line);
    });
    lines(child.stderr!, (line) => {
      stderr += line + "\n";
      o.onLine?.(line);
    });
    child.once("exit", (code, sig) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`host exited before ready (code ${code}, signal ${sig})\n${stderr}`));
      }
    });
  });
}
