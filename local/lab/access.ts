// Can another OS user (the PostgreSQL server user) reach a path? Answered from the mode bits for exactly that
// uid/gid: child processes spawned with a uid/gid have no supplementary groups (libuv calls setgroups(0)), so
// owner, group and other bits decide. ACLs are not consulted.
import fs from "node:fs";
import path from "node:path";

export interface Ids {
  uid: number;
  gid: number;
}

/** r = read, x = execute/search; "rx" both. */
export type Need = "r" | "x" | "rx";

const BITS: Record<Need, number> = { r: 4, x: 1, rx: 5 };

/** The permission bits that apply to this user (only one class applies, as in the kernel). */
function grants(st: fs.Stats, ids: Ids, bits: number): boolean {
  const shift = st.uid === ids.uid ? 6 : st.gid === ids.gid ? 3 : 0;
  return ((st.mode >> shift) & bits) === bits;
}

const mode = (st: fs.Stats): string => (st.mode & 0o7777).toString(8).padStart(4, "0");

/** Ancestors of an absolute path, from "/" down to its parent. */
function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(p); ; d = path.dirname(d)) {
    out.unshift(d);
    if (path.dirname(d) === d) return out;
  }
}

/**
 * Why the user cannot reach `target` (every ancestor directory needs search permission, the target `need`),
 * or undefined when it can. Both the path as given and its resolved form are checked (symlinks).
 */
export function accessProblem(target: string, ids: Ids, need: Need = "r"): string | undefined {
  const given = path.resolve(target);
  let real: string;
  try {
    real = fs.realpathSync(given);
  } catch {
    return `${given} does not exist`;
  }
  for (const p of new Set([given, real])) {
    for (const dir of ancestors(p)) {
      const st = fs.statSync(dir);
      if (!grants(st, ids, 1)) return `${dir} (mode ${mode(st)}, owner uid ${st.uid}) is not searchable`;
    }
  }
  const st = fs.statSync(real);
  if (!grants(st, ids, BITS[need])) return `${real} (mode ${mode(st)}, owner uid ${st.uid}) lacks ${need} permission`;
  return undefined;
}
