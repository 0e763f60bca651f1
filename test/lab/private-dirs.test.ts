// A checkout in a private directory (under /root, or a 0700 mkdtemp dir, made with umask 077): as root the
// servers run as the unprivileged server user, who must still reach the binaries, the lab dir and the certificates.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLab } from "../../local/lab";
import { accessProblem } from "../../local/lab/access";
import { defaultPgBinDir } from "../../local/lab/pg-bin";
import { LAB_TEST } from "./timeouts";

const root = process.getuid?.() === 0;
/** Some other user: no file here is theirs. */
const nobody = { uid: 54321, gid: 54321 };

/** The embedded binaries' install prefix copied into a fresh 0700 dir with owner-only modes (umask 077 checkout). */
function privateBinaries(): { dir: string; bin: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgflex-private-"));
  const prefix = path.join(dir, "native");
  fs.cpSync(path.dirname(defaultPgBinDir()), prefix, { recursive: true, verbatimSymlinks: true });
  const ownerOnly = (p: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const f = path.join(p, e.name);
      if (e.isDirectory()) {
        fs.chmodSync(f, 0o700);
        ownerOnly(f);
      } else if (e.isFile()) fs.chmodSync(f, fs.statSync(f).mode & 0o700);
    }
  };
  ownerOnly(prefix);
  return { dir, bin: path.join(prefix, "bin") };
}

async function withUmask<T>(mask: number, work: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await work();
  } finally {
    process.umask(old);
  }
}

describe("lab in private directories", () => {
  test("the access check follows the mode bits for the other user: every ancestor needs x, symlinks are resolved", () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), "pgflex-access-"));
    try {
      fs.chmodSync(top, 0o755);
      const priv = path.join(top, "private");
      fs.mkdirSync(priv, { mode: 0o700 });
      fs.chmodSync(priv, 0o700);
      const file = path.join(priv, "ca.crt");
      fs.writeFileSync(file, "x");
      fs.chmodSync(file, 0o644);
      const link = path.join(top, "link");
      fs.symlinkSync(file, link);
      assert.match(accessProblem(file, nobody) ?? "", /private \(mode 0700.*not searchable/);
      assert.match(accessProblem(link, nobody) ?? "", /private \(mode 0700/, "a readable link into a private dir");
      fs.chmodSync(priv, 0o711); // traversable without listing is enough
      assert.equal(accessProblem(file, nobody), undefined);
      assert.equal(accessProblem(link, nobody), undefined);
      fs.chmodSync(file, 0o600);
      assert.match(accessProblem(file, nobody) ?? "", /lacks r permission/);
      assert.match(accessProblem(path.join(top, "missing"), nobody) ?? "", /does not exist/);
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  test(
    "binaries in a 0700 checkout made with umask 077: two labs started together both run (as root from one shared copy the server user can read)",
    LAB_TEST,
    async (t) => {
      const src = privateBinaries();
      t.after(() => fs.rmSync(src.dir, { recursive: true, force: true }));
      const settled = await withUmask(0o077, () =>
        Promise.allSettled([
          startLab({ pgBinDir: src.bin, azurite: false }),
          startLab({ pgBinDir: src.bin, azurite: false }),
        ]),
      );
      const labs = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      t.after(() => Promise.allSettled(labs.map((l) => l.stop())));
      if (root)
        t.after(() => {
          for (const l of labs) fs.rmSync(path.dirname(l.info.pgBinDir), { recursive: true, force: true });
        });
      for (const r of settled) if (r.status === "rejected") throw r.reason;
      const [a, b] = labs;
      assert.ok(a && b);
      for (const lab of labs) {
        await lab.adminQuery("primary", "insert into lab_writes(note) values ('private binaries')");
        const [row] = await lab.adminQuery<{ rec: boolean }>("replica", "select pg_is_in_recovery() rec");
        assert.equal(row?.rec, true, "the replica runs and streams");
      }
      if (!root) {
        assert.equal(a.info.pgBinDir, src.bin, "not root: the servers run as this user, straight from the checkout");
        return;
      }
      assert.equal(a.info.pgBinDir, b.info.pgBinDir, "one copy shared by both labs");
      const copy = path.dirname(a.info.pgBinDir);
      assert.equal(path.dirname(copy), os.tmpdir());
      assert.equal(accessProblem(path.join(a.info.pgBinDir, "postgres"), nobody, "rx"), undefined);
      assert.equal(fs.lstatSync(path.join(copy, "lib", "libpq.so.5")).isSymbolicLink(), true, "symlinks kept");
      const leftovers = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`${path.basename(copy)}.tmp-`));
      assert.deepEqual(leftovers, [], "the losing copy was removed");
    },
  );

  test(
    "a baseDir inside a 0700 directory: as root the start fails with a one-line message saying what to do and leaves nothing; otherwise it starts",
    LAB_TEST,
    async (t) => {
      const top = fs.mkdtempSync(path.join(os.tmpdir(), "pgflex-privbase-"));
      t.after(() => fs.rmSync(top, { recursive: true, force: true }));
      const baseDir = path.join(top, "labs");
      const start = startLab({ baseDir, azurite: false });
      if (!root) {
        const lab = await start;
        t.after(() => lab.stop());
        assert.equal(path.dirname(lab.info.dir), baseDir);
        return;
      }
      await assert.rejects(start, (e: Error) => {
        assert.match(e.message, /server user 'postgres' cannot reach .*mode 0700.*--base-dir/);
        assert.equal(e.message.includes("\n"), false, "one line");
        return true;
      });
      assert.deepEqual(fs.readdirSync(baseDir), [], "the lab dir was removed");
    },
  );
});
