// As root the servers run as the server user, who may not reach the binaries (a checkout under /root, or in a
// 0700 mkdtemp dir). Then the install prefix (bin, lib, share; symlinks kept) is copied once into a directory
// that user can read, named by a hash of the source path and the binaries' content, so labs share one copy.
// Race-free: each lab copies into its own temp dir and renames it into place; whoever loses uses the winner's.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { accessProblem, type Ids } from "./access";
import { SERVER_USER } from "./server-user";

export const PG_BINARIES = ["initdb", "pg_ctl", "postgres"] as const;
const PREFIX_DIRS = ["bin", "lib", "share"];

/** Why the server user cannot run the binaries in binDir (or read its prefix's lib/share), or undefined. */
export function binariesProblem(binDir: string, ids: Ids): string | undefined {
  for (const b of PG_BINARIES) {
    const p = accessProblem(path.join(binDir, b), ids, "rx");
    if (p) return p;
  }
  const prefix = path.dirname(path.resolve(binDir));
  for (const d of ["lib", "share"]) {
    const dir = path.join(prefix, d);
    const p = fs.existsSync(dir) ? accessProblem(dir, ids, "rx") : undefined;
    if (p) return p;
  }
  return undefined;
}

/** binDir itself when the server user can use it, else the bin dir of a readable copy of its prefix. */
export function serverReadableBinDir(binDir: string, ids: Ids, log: (line: string) => void): string {
  const problem = binariesProblem(binDir, ids);
  if (!problem) return binDir;
  const src = fs.realpathSync(binDir);
  const prefix = path.dirname(src);
  if (path.basename(src) !== "bin" || !["lib", "share"].some((d) => fs.existsSync(path.join(prefix, d))))
    throw new Error(
      `the PostgreSQL server user '${SERVER_USER}' cannot run the binaries in ${binDir} (${problem}) and ${prefix} is not an install prefix (bin, lib, share) the lab could copy; put the binaries where every user can read them and pass that bin dir as pgBinDir / --pg-bin / PGFLEX_LAB_PG_BIN`,
    );
  const parent = [os.tmpdir(), "/var/tmp"].find((d) => fs.existsSync(d) && !accessProblem(d, ids, "x"));
  if (!parent)
    throw new Error(
      `the PostgreSQL server user '${SERVER_USER}' cannot run the binaries in ${binDir} (${problem}), and neither ${os.tmpdir()} nor /var/tmp is reachable for a copy; pass a readable pgBinDir`,
    );
  const target = path.join(parent, `pgflex-pg-${contentKey(prefix)}`);
  if (!fs.existsSync(target)) {
    log(`postgres: the server user cannot reach ${binDir} (${problem}); copying ${prefix} to ${target}`);
    copyInto(prefix, target);
  }
  checkTrusted(target);
  const bin = path.join(target, "bin");
  const still = binariesProblem(bin, ids);
  if (still) throw new Error(`the copy of the PostgreSQL binaries in ${target} is not usable: ${still}`);
  return bin;
}

/** Source path + the binaries' bytes: a new version or a rebuilt tree gets its own copy. */
function contentKey(prefix: string): string {
  return binariesDigest(prefix, path.join(prefix, "bin")).slice(0, 16);
}

const digests = new Map<string, string>();

/**
 * sha256 of `label` and the binaries' bytes in binDir, once per process (reading and hashing some megabytes
 * took about 0.1 s of every lab start, twice; a test file starting several labs asks again with the same files).
 */
export function binariesDigest(label: string, binDir: string): string {
  const key = `${label}\0${binDir}`;
  let d = digests.get(key);
  if (!d) {
    const h = createHash("sha256").update(label);
    for (const b of PG_BINARIES) h.update("\0").update(fs.readFileSync(path.join(binDir, b)));
    d = h.digest("hex");
    digests.set(key, d);
  }
  return d;
}

function copyInto(prefix: string, target: string): void {
  const tmp = fs.mkdtempSync(`${target}.tmp-`);
  try {
    for (const d of PREFIX_DIRS) {
      const from = path.join(prefix, d);
      // verbatimSymlinks: keep relative library links relative (else they would point back into the source)
      if (fs.existsSync(from)) fs.cpSync(from, path.join(tmp, d), { recursive: true, verbatimSymlinks: true });
    }
    openModes(tmp);
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      // Another lab renamed its copy into place first: use that one.
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Directories 0755, executables 0755, other files 0644: a checkout made under umask 077 is 0700/0600. */
function openModes(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) openModes(p);
    else if (e.isFile()) fs.chmodSync(p, fs.statSync(p).mode & 0o100 ? 0o755 : 0o644);
  }
}

/** The servers will execute what is there: it must be ours and writable by nobody else. */
function checkTrusted(target: string): void {
  const st = fs.lstatSync(target);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0)
    throw new Error(
      `refusing to run PostgreSQL binaries from ${target}: it is not a directory owned by this user and writable only by it; remove it and start again`,
    );
}
