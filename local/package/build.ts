// `npm run package`: the zip Azure runs. Copies the app files (contents.ts) into a staging directory, installs
// the production dependencies there from the lockfile, refuses anything a zip deploy would not carry as it is
// (symbolic links) or that has no business in production (a devDependency), and zips the staging directory.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { appFiles, type AppFiles } from "./contents";
import { parseFuncIgnore } from "./funcignore";
import { scratchDir } from "./scratch";
import { writeZip } from "./zip";

export const PACKAGE_NAME = "pgflex-failover.zip";

export interface PackageOptions {
  /** The repository (after `npm run build`). */
  root: string;
  /** Default <root>/dist/pgflex-failover.zip. */
  outFile?: string;
  /** Where the package is put together; default a new scratch directory, removed afterwards. */
  stagingDir?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

export interface BuiltPackage {
  zipFile: string;
  bytes: number;
  /** Every file in the zip (relative "/" paths, sorted). */
  files: string[];
  /** The app files (everything but node_modules). */
  appFiles: string[];
  /** Compiled files without a source, left out. */
  stale: string[];
  /** Hash of the inputs (app files and .funcignore): a package with the same stamp needs no rebuild. */
  stamp: string;
}

/** Walks a directory; refuses symbolic links and anything but regular files and directories. */
function filesUnder(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isSymbolicLink()) throw new Error(`${path} is a symbolic link; a zip deploy would not carry it`);
    if (e.isDirectory()) out.push(...filesUnder(dir, path));
    else if (e.isFile()) out.push(path);
    else throw new Error(`${path} is not a regular file`);
  }
  return out;
}

/** The inputs' hash: which app files, their bytes, and the .funcignore they were checked against. */
export function inputStamp(root: string, files: string[]): string {
  const h = createHash("sha256");
  for (const f of [...files, ".funcignore"]) {
    h.update(`${f}\0`);
    h.update(existsSync(join(root, f)) ? readFileSync(join(root, f)) : "");
    h.update("\0");
  }
  return h.digest("hex");
}

export const stampFile = (zipFile: string) => `${zipFile}.json`;

/** The stamp recorded next to a package built earlier, if any. */
export function recordedStamp(zipFile: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(stampFile(zipFile), "utf8")) as { stamp?: string }).stamp;
  } catch {
    return undefined;
  }
}

function npm(args: string[], cwd: string): void {
  // npm_execpath is set when this runs under `npm run`: the same npm, with the node running this.
  const viaNode = process.env.npm_execpath?.endsWith(".js");
  const [cmd, argv] = viaNode ? [process.execPath, [process.env.npm_execpath!, ...args]] : ["npm", args];
  const r = spawnSync(cmd, argv, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0)
    throw new Error(`npm ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
}

export async function buildPackage(o: PackageOptions): Promise<BuiltPackage> {
  const log = o.log ?? (() => undefined);
  const zipFile = o.outFile ?? join(o.root, "dist", PACKAGE_NAME);
  const staging = o.stagingDir ?? scratchDir("pgflex-package-");
  const app = appFiles(o.root);
  for (const s of app.stale) log(`left out ${s}: compiled from a source that no longer exists`);
  // What this package ships, `func azure functionapp publish` must ship too: .funcignore may not drop any of it.
  const funcignore = parseFuncIgnore(readFileSync(join(o.root, ".funcignore"), "utf8"));
  const dropped = app.files.filter((f) => !funcignore.accepts(f));
  if (dropped.length) throw new Error(`.funcignore leaves out files the app needs: ${dropped.join(", ")}`);

  const stamp = inputStamp(o.root, app.files);
  try {
    const built = await stageAndZip(o.root, staging, zipFile, app, log);
    writeFileSync(stampFile(zipFile), JSON.stringify({ stamp, files: built.files.length, bytes: built.bytes }) + "\n");
    return { ...built, stamp };
  } finally {
    if (!o.stagingDir) rmSync(staging, { recursive: true, force: true });
  }
}

async function stageAndZip(
  root: string,
  staging: string,
  zipFile: string,
  app: AppFiles,
  log: (line: string) => void,
): Promise<Omit<BuiltPackage, "stamp">> {
  rmSync(staging, { recursive: true, force: true });
  for (const f of app.files) {
    mkdirSync(dirname(join(staging, f)), { recursive: true });
    copyFileSync(join(root, f), join(staging, f));
  }
  log(`staged ${app.files.length} app files in ${staging}; installing production dependencies`);
  // The lockfile's production tree, no install scripts, no .bin links (symlinks), from the local cache first.
  npm(
    ["ci", "--omit=dev", "--ignore-scripts", "--no-bin-links", "--prefer-offline", "--no-audit", "--no-fund"],
    staging,
  );
  const files = filesUnder(staging).sort();
  const dev = devOnlyInstalled(staging);
  if (dev.length) throw new Error(`development-only packages were installed: ${dev.join(", ")}`);

  const bytes = await writeZip(staging, files, zipFile);
  log(`${zipFile}: ${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB`);
  return { zipFile, bytes, files, appFiles: app.files, stale: app.stale };
}

/** Packages the lockfile marks as needed for development only ("dev": true) that are present in node_modules. */
export function devOnlyInstalled(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as {
    packages?: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages ?? {})
    .filter(([path, p]) => p.dev === true && path.startsWith("node_modules/") && existsSync(join(dir, path)))
    .map(([path]) => path.slice("node_modules/".length));
}
