// initdb once per binary set, then a copy: initdb costs about 1.3 s of CPU (5 s on a busy 2-core box) and every
// lab start ran it, while copying its result takes a few ms. The cluster is made with a throwaway superuser
// password nobody keeps; the lab sets its own over the Unix socket (local trust) before anything listens on TCP
// with its pg_hba.conf. Race-free like the binaries' copy (pg-bin-copy.ts): each lab makes its cluster in its own
// temp dir and renames it into place; whoever loses uses the winner's.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { binariesDigest } from "./pg-bin-copy";
import { copyTree } from "./copy-tree";
import type { Credentials } from "./pg-node";
import type { PgRunner } from "./pg-bin";

/** initdb's options, the superuser's password file aside: they are part of the cache key. */
export function initdbOptions(adminUser: string): string[] {
  return [
    "-U",
    adminUser,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
    // 1 MB WAL segments instead of 16: every cluster of a many-pair lab is copied and base-backed-up with its
    // pg_wal, and removed at stop; the app only ever sees LSNs, which do not depend on the segment size.
    "--wal-segsize=1",
  ];
}

/** Where the cluster made by these binaries with these options is kept. */
export function initdbCacheDir(runner: PgRunner, options: string[], parent = os.tmpdir()): string {
  // The binaries' bytes (a new version or a rebuilt tree gets its own cluster), the options and the owner.
  const h = createHash("sha256").update(binariesDigest(fs.realpathSync(runner.binDir), runner.binDir));
  h.update("\0")
    .update(options.join("\0"))
    .update("\0")
    .update(String(runner.uid ?? process.getuid?.()));
  return path.join(parent, `pgflex-initdb-${h.digest("hex").slice(0, 16)}`);
}

/**
 * A fresh cluster in dataDir (which must not exist yet or be empty): a copy of the cached one, made first if
 * missing. Returns whether the cache was there already. The superuser's password is unknown until setPassword.
 */
export async function initdbCached(
  runner: PgRunner,
  dataDir: string,
  options: string[],
  scratchDir: string,
): Promise<boolean> {
  const cache = initdbCacheDir(runner, options);
  const hit = fs.existsSync(cache);
  if (!hit) await makeCache(runner, cache, options, scratchDir);
  checkTrusted(cache, runner);
  fs.rmSync(dataDir, { recursive: true, force: true });
  await copyTree(path.join(cache, "data"), dataDir);
  fs.chmodSync(dataDir, 0o700); // PostgreSQL refuses a data dir open to others
  runner.chown(dataDir, true);
  return hit;
}

async function makeCache(runner: PgRunner, cache: string, options: string[], scratchDir: string): Promise<void> {
  const tmp = fs.mkdtempSync(`${cache}.tmp-`);
  try {
    fs.chmodSync(tmp, 0o700);
    runner.chown(tmp);
    // A password nobody keeps (initdb needs one for --auth-host=scram-sha-256), in a file so it never shows in ps.
    const pwFile = path.join(scratchDir, `.initdb-pw-${randomBytes(6).toString("hex")}`);
    fs.writeFileSync(pwFile, randomBytes(24).toString("base64url") + "\n", { mode: 0o600 });
    runner.chown(pwFile);
    try {
      await runner.run("initdb", ["-D", path.join(tmp, "data"), "--pwfile", pwFile, ...options]);
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
    try {
      fs.renameSync(tmp, cache);
    } catch (e) {
      // Another lab renamed its cluster into place first: use that one.
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The servers will run with what is there (its postgresql.conf too): it must be ours and writable by nobody else. */
function checkTrusted(cache: string, runner: PgRunner): void {
  const owner = runner.uid ?? process.getuid?.();
  const st = fs.lstatSync(cache);
  if (!st.isDirectory() || st.uid !== owner || (st.mode & 0o077) !== 0)
    throw new Error(
      `refusing to copy a PostgreSQL cluster from ${cache}: it is not a directory owned by the server user and private to it; remove it and start again`,
    );
}

/** Sets the superuser's password through the Unix socket ("local all all trust" in the lab's pg_hba.conf). */
export async function setPassword(socketDir: string, port: number, admin: Credentials): Promise<void> {
  const client = new pg.Client({ host: socketDir, port, user: admin.user, database: "postgres" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(
      `alter role ${pg.escapeIdentifier(admin.user)} with password ${pg.escapeLiteral(admin.password)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
