// What the deployment package holds besides its production node_modules: the files Azure's Functions host
// and the Node worker read (host.json, package.json with its "main" glob, the lockfile the dependencies are
// installed from) and the app compiled from src/ — nothing else.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Top-level files copied as they are. */
export const ROOT_FILES = ["host.json", "package.json", "package-lock.json"];
/** The compiled app: dist/src/**.js whose source src/**.ts still exists, and the files copied from src/ as they are (the status page's). */
export const COMPILED_DIR = "dist/src";

export interface AppFiles {
  /** Relative "/" paths, sorted. */
  files: string[];
  /** Compiled files left over from a source that no longer exists (tsc never deletes them): left out. */
  stale: string[];
}

function walk(dir: string, rel: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(join(dir, e.name), path, out);
    else out.push(path);
  }
}

/** The app files of the repository at root, after `npm run build`. */
export function appFiles(root: string): AppFiles {
  for (const f of ROOT_FILES) if (!existsSync(join(root, f))) throw new Error(`${f} is missing in ${root}`);
  const compiled = join(root, COMPILED_DIR);
  if (!existsSync(compiled) || !statSync(compiled).isDirectory())
    throw new Error(`${COMPILED_DIR} is missing in ${root}: run "npm run build" first`);
  const all: string[] = [];
  walk(compiled, COMPILED_DIR, all);
  // dist/src/a/b.js comes from src/a/b.ts, and dist/src/ui/* is copied from src/ui/* as it is; anything else
  // is a deleted module's leftover, which might still register a function (main globs dist/src/functions/*.js).
  const fromSource = (p: string) => join(root, p.slice("dist/".length));
  const compiledFrom = (p: string) => p.endsWith(".js") && existsSync(fromSource(p).replace(/\.js$/, ".ts"));
  const copied = (p: string) => !p.endsWith(".map") && existsSync(fromSource(p));
  const shipped = all.filter((p) => !p.endsWith(".map"));
  const stale = shipped.filter((p) => !compiledFrom(p) && !copied(p));
  const files = [...ROOT_FILES, ...shipped.filter((p) => !stale.includes(p))].sort();
  return { files, stale: stale.sort() };
}
