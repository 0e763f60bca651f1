// `.funcignore` read the way Azure Functions Core Tools reads it for `func azure functionapp publish` and
// `func pack` (its GitIgnoreParser, a port of the codemix gitignore-parser, and FileSystemHelpers.GetLocalFiles).
// These are NOT git's rules:
// - each pattern is matched against the START of a file's path relative to the app root ("/" separators, no
//   leading "/"), with no end anchor: `test/` drops everything under test/, `local` would also drop `locale.js`;
// - `*` is any run of characters but "/", `**` any run including "/"; `*.ts` is therefore top-level only, and
//   `**.map` is every path containing a ".map" after at least one character;
// - a leading "/" is dropped (patterns are anchored anyway); `#` lines and blank lines are skipped;
// - a `!pattern` line accepts what it matches whatever any other line says (not "the last match wins");
// - only files are tested, never directories; the directories .git and .vscode and the files .funcignore,
//   .gitignore, local.settings.json and project.lock.json are skipped at any depth before the patterns apply.
// `azd deploy` reads the same file with git's rules (gitignoreDialect below, through the `ignore` package).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import ignore from "ignore";

export interface FuncIgnore {
  /** True when the tool would put this file (path relative to the app root, "/" separators) in the package. */
  accepts(path: string): boolean;
}

/** Skipped by Core Tools before .funcignore applies (names compared case-insensitively, at any depth). */
export const ALWAYS_SKIPPED = {
  directories: [".git", ".vscode"],
  files: [".funcignore", ".gitignore", "local.settings.json", "project.lock.json"],
};

const REGEX_SPECIALS = /[-[\]/{}()+?.\\^$|]/g;

function patternSource(pattern: string): string {
  return pattern.replace(REGEX_SPECIALS, "\\$&").replace(/\*\*/g, "(.+)").replace(/\*/g, "([^/]+)");
}

function anyOf(patterns: string[]): RegExp | null {
  return patterns.length ? new RegExp(`^((${patterns.map(patternSource).join(")|(")}))`) : null;
}

export function parseFuncIgnore(text: string): FuncIgnore {
  const deny: string[] = [];
  const accept: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    const body = negated ? line.slice(1) : line;
    (negated ? accept : deny).push(body.startsWith("/") ? body.slice(1) : body);
  }
  const denied = anyOf(deny);
  const accepted = anyOf(accept);
  return { accepts: (path) => accepted?.test(path) === true || denied?.test(path) !== true };
}

/** The same file as `azd deploy` reads it: git's rules (Azure Developer CLI, "service packaging ignore files"). */
export function gitignoreDialect(text: string): FuncIgnore {
  const ig = ignore().add(text);
  return { accepts: (path) => !ig.ignores(path) };
}

/**
 * Every file under root as relative "/" paths, sorted, less the folders in `skipPaths` (e.g. "node_modules");
 * with `coreTools`, also less what Core Tools skips before .funcignore applies (ALWAYS_SKIPPED).
 */
export function listFiles(root: string, o: { skipPaths?: string[]; coreTools?: boolean } = {}): string[] {
  const skipD = new Set(o.coreTools ? ALWAYS_SKIPPED.directories.map((d) => d.toLowerCase()) : []);
  const skipF = new Set(o.coreTools ? ALWAYS_SKIPPED.files.map((f) => f.toLowerCase()) : []);
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (o.skipPaths?.includes(path)) continue;
      if (e.isDirectory()) {
        if (!skipD.has(e.name.toLowerCase())) walk(join(dir, e.name), path);
      } else if (!skipF.has(e.name.toLowerCase())) out.push(path);
    }
  };
  walk(root, "");
  return out.sort();
}

/** The files `func azure functionapp publish` would upload from root (less skipPaths). */
export function publishedByCoreTools(root: string, funcignore: string, skipPaths: string[] = []): string[] {
  const rules = parseFuncIgnore(funcignore);
  return listFiles(root, { skipPaths, coreTools: true }).filter((p) => rules.accepts(p));
}

/** The files `azd deploy` would zip from root (less skipPaths). */
export function publishedByAzd(root: string, funcignore: string, skipPaths: string[] = []): string[] {
  const rules = gitignoreDialect(funcignore);
  return listFiles(root, { skipPaths }).filter((p) => rules.accepts(p));
}
