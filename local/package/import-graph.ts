// The import graph of a source tree (relative imports, type-only ones included) and its cycles, between files
// or between the tree's first-level folders (its layers). test/unit/import-cycles.test.ts keeps src/ free of both.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export type Graph = Map<string, Set<string>>;

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|require\(\s*["']([^"']+)["']\s*\)/g;

/** Files (relative to `root`) → the files they import. */
export function fileGraph(root: string): Graph {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(n) && !n.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(root);
  const target = (from: string, spec: string): string | null => {
    if (!spec.startsWith(".")) return null;
    const base = resolve(dirname(from), spec);
    const tries = [base, `${base}.ts`, `${base}.js`, base.replace(/\.js$/, ".ts"), join(base, "index.ts")];
    return tries.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
  };
  const g: Graph = new Map();
  for (const f of files) {
    const out = new Set<string>();
    for (const m of readFileSync(f, "utf8").matchAll(IMPORT)) {
      const t = target(f, (m[1] ?? m[2] ?? m[3])!);
      if (t && t !== f) out.add(relative(root, t));
    }
    g.set(relative(root, f), out);
  }
  return g;
}

/** The same graph folded onto first-level folders: an edge a → b when a file in a imports one in b. */
export function folderGraph(files: Graph): Graph {
  const top = (f: string) => f.split("/")[0]!;
  const g: Graph = new Map();
  for (const [f, out] of files) {
    const a = top(f);
    if (!g.has(a)) g.set(a, new Set());
    for (const t of out) if (top(t) !== a) g.get(a)!.add(top(t));
  }
  return g;
}

/** Each strongly connected component of more than one node (Tarjan): every one is a cycle. */
export function cycles(g: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) found.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return found;
}
