// Azurite's Table service as a child process (the app's audit journal writes there).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { findFreePort } from "./ports";

export interface Azurite {
  port: number;
  pid: number;
  tableEndpoint: string;
  connectionString: string;
  /** Set when the Azurite is shared with other labs: the tables this lab's app uses there (its own). */
  tables?: { audit: string; state: string };
  stop(): Promise<void>;
}

/**
 * The test runner's one Azurite (test/run.mjs sets PGFLEX_LAB_SHARED_AZURITE_PORT): each lab gets tables of its
 * own there instead of an Azurite process (about 1 s of CPU to start, dozens of stacks in a test run).
 */
export function sharedAzurite(env: NodeJS.ProcessEnv = process.env): Azurite | undefined {
  const text = env.PGFLEX_LAB_SHARED_AZURITE_PORT;
  if (!text) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PGFLEX_LAB_SHARED_AZURITE_PORT: "${text}" is not a port`);
  const id = randomBytes(5).toString("hex");
  return {
    ...endpointOf(port),
    port,
    pid: 0,
    tables: { audit: `Audit${id}`, state: `State${id}` },
    stop: async () => {},
  };
}

function endpointOf(port: number): { tableEndpoint: string; connectionString: string } {
  const tableEndpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};TableEndpoint=${tableEndpoint};`,
  };
}

/** Azurite's documented, public development account key (not a secret). */
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function azuriteTableBin(): string {
  const pkgDir = path.dirname(require.resolve("azurite/package.json"));
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { bin: Record<string, string> };
  const bin = pkg.bin["azurite-table"]!;
  return path.join(pkgDir, bin);
}

function startOnce(port: number, dir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        azuriteTableBin(),
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        String(port),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AZURITE_ACCOUNTS: undefined } },
    );
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`azurite did not start within 20 s:\n${out}`));
    }, 20_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (/successfully (listening|started)/i.test(out)) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}:\n${out}`));
    });
  });
}

export async function startAzurite(dir: string): Promise<Azurite> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; !child; attempt++) {
    port = await findFreePort(["127.0.0.1"]);
    try {
      child = await startOnce(port, dir);
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE|address already in use/i.test(String(e))) throw e;
    }
  }
  const proc = child;
  proc.removeAllListeners("exit");
  return {
    port,
    pid: proc.pid!,
    ...endpointOf(port),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill("SIGKILL"), 3000);
        proc.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill("SIGTERM");
      }),
  };
}
