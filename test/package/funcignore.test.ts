// .funcignore as Core Tools reads it (prefix patterns, `*` within a folder, `**` across, `!` wins), and which
// compiled files the package takes.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { appFiles } from "../../local/package/contents";
import { gitignoreDialect, listFiles, parseFuncIgnore } from "../../local/package/funcignore";

test("Core Tools' dialect: a pattern matches the start of the path, not git's way", () => {
  const fi = parseFuncIgnore(["# comment", "", "test/", "*.ts", "/docs", "dist/src/**.map", "tsconfig"].join("\n"));
  const denied = ["test/a.js", "x.ts", "docs/a.md", "docsy.txt", "dist/src/a/b.js.map", "tsconfig.build.json"];
  for (const p of denied) assert.equal(fi.accepts(p), false, p);
  // `*` stays within one folder and patterns are anchored at the root: src/a.ts and dist/test/ are not matched.
  for (const p of ["src/a.ts", "dist/test/a.js", "dist/src/a.js", "mytest/a.js", "host.json"])
    assert.equal(fi.accepts(p), true, p);
});

test("a `!` line keeps what it matches whatever the other lines say, in any order", () => {
  const fi = parseFuncIgnore("!dist/src/keep.js\ndist/\n");
  assert.equal(fi.accepts("dist/src/keep.js"), true);
  assert.equal(fi.accepts("dist/src/keep.js.map"), true, "no end anchor: a `!` line keeps longer names too");
  assert.equal(fi.accepts("dist/src/other.js"), false);
  assert.equal(parseFuncIgnore("").accepts("anything"), true);
});

test("the same lines read with git's rules (azd): why every line of .funcignore is anchored and whole", () => {
  const lines = "src/\ntsconfig\n*.log\n";
  // Unanchored, git's `src/` is any folder named src — the compiled app in dist/src too — where Core Tools
  // reads a prefix; `tsconfig` is an exact name for git, a prefix for Core Tools.
  assert.equal(gitignoreDialect(lines).accepts("dist/src/functions/a.js"), false);
  assert.equal(parseFuncIgnore(lines).accepts("dist/src/functions/a.js"), true);
  assert.equal(gitignoreDialect(lines).accepts("tsconfig.json"), true);
  assert.equal(parseFuncIgnore(lines).accepts("tsconfig.json"), false);
  const anchored = "/src/\n/tsconfig.json\n/*.log\n/dist/**/*.map\n";
  for (const r of [gitignoreDialect(anchored), parseFuncIgnore(anchored)]) {
    assert.equal(r.accepts("dist/src/functions/a.js"), true);
    for (const p of ["src/a.ts", "tsconfig.json", "x.log", "dist/src/functions/a.js.map"])
      assert.equal(r.accepts(p), false);
  }
});

test("candidates: .git and .vscode folders and local settings are skipped at any depth before the patterns", () => {
  const root = mkdtempSync(join(tmpdir(), "pgflex-funcignore-"));
  try {
    const files = [
      ".git/HEAD",
      "a/.vscode/s.json",
      "a/local.settings.json",
      ".funcignore",
      "a/b.js",
      "node_modules/x/i.js",
    ];
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), "");
    }
    assert.deepEqual(listFiles(root, { coreTools: true }), ["a/b.js", "node_modules/x/i.js"]);
    assert.deepEqual(listFiles(root, { coreTools: true, skipPaths: ["node_modules"] }), ["a/b.js"]);
    assert.equal(listFiles(root).length, files.length, "azd skips nothing by itself");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the package takes the compiled app without maps, and leaves out compiled files whose source is gone", () => {
  const root = mkdtempSync(join(tmpdir(), "pgflex-contents-"));
  try {
    const files = ["host.json", "package.json", "package-lock.json", "src/functions/a.ts", "src/x/y.ts"];
    files.push(
      "dist/src/functions/a.js",
      "dist/src/functions/a.js.map",
      "dist/src/x/y.js",
      "dist/src/functions/gone.js",
    );
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), "");
    }
    assert.deepEqual(appFiles(root), {
      files: ["dist/src/functions/a.js", "dist/src/x/y.js", "host.json", "package-lock.json", "package.json"],
      stale: ["dist/src/functions/gone.js"],
    });
    rmSync(join(root, "dist"), { recursive: true });
    assert.throws(() => appFiles(root), /dist\/src is missing .*npm run build/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
