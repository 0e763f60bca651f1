// No import cycle in src/, between files or between its folders (its layers): a cycle makes every folder in it
// depend on all the others, so a change to one can break any. The test finds cycles on a tree it builds first,
// so it is known to see one when there is one.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cycles, fileGraph, folderGraph } from "../../local/package/import-graph";

const SRC = join(__dirname, "..", "..", "..", "src");

test("src/ has no import cycle between files", () => {
  assert.deepEqual(cycles(fileGraph(SRC)), []);
});

test("src/ has no import cycle between its folders", () => {
  assert.deepEqual(cycles(folderGraph(fileGraph(SRC))), []);
});

test("the check sees a cycle between files (type imports included) and between folders", () => {
  const root = mkdtempSync(join(tmpdir(), "pgflex-cycles-"));
  try {
    for (const d of ["a", "b", "c"]) mkdirSync(join(root, d));
    writeFileSync(join(root, "a", "x.ts"), 'import type { Y } from "../b/y";\nexport type X = Y;\n');
    writeFileSync(join(root, "b", "y.ts"), 'import { z } from "../c/z";\nexport type Y = string;\nvoid z;\n');
    writeFileSync(join(root, "c", "z.ts"), 'export const z = 1;\nexport * from "../a/x";\n');
    writeFileSync(join(root, "c", "w.ts"), 'import { z } from "./z";\nvoid z;\n');
    const files = fileGraph(root);
    assert.deepEqual(cycles(files), [["a/x.ts", "b/y.ts", "c/z.ts"]]);
    assert.deepEqual(cycles(folderGraph(files)), [["a", "b", "c"]]);
    writeFileSync(join(root, "c", "z.ts"), "export const z = 1;\n");
    assert.deepEqual(cycles(fileGraph(root)), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
