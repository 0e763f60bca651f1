// A lab start that fails part-way stops what it had started and removes its directory, so a failing start
// neither leaks servers nor keeps the test process (and the whole run) alive.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLab, type LabPart } from "../../local/lab";
import { alive, processesUnder, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

function tempBase(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgflex-startfail-"));
  fs.chmodSync(dir, 0o755);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("lab start failures", () => {
  for (const failAt of ["postgres", "dns", "identity"] as LabPart[]) {
    test(
      `a failure injected when ${failAt} is up leaves no process and no directory behind (the other parts had started or were starting)`,
      LAB_TEST,
      async (t) => {
        const baseDir = tempBase(t);
        let running: number[] = [];
        await assert.rejects(
          startLab({
            baseDir,
            onStarted: async (part) => {
              if (part !== failAt) return;
              // The parts start side by side: postgres may be between two of its programs (initdb done, pg_ctl not
              // yet) when dns or identity is up, so wait until something besides the reaper runs — the cleanup
              // must then stop it (CI saw the reaper alone once).
              running = await waitFor(
                "a process besides the reaper",
                () => {
                  const now = processesUnder(baseDir);
                  return now.length >= 2 && now;
                },
                20_000,
              );
              throw new Error(`injected after ${part}`);
            },
          }),
          new RegExp(`injected after ${failAt}`),
        );
        // postgres: both postmasters, their backends, the reaper; dns, identity: the reaper and initdb at least
        assert.ok(running.length >= 2, `processes were running when the failure hit: ${running.join(", ")}`);
        await waitFor("the started processes to exit", () => running.every((p) => !alive(p)), 10_000);
        await waitFor("no process left in the lab dir", () => processesUnder(baseDir).length === 0, 10_000);
        assert.deepEqual(fs.readdirSync(baseDir), [], "the lab dir was removed");
      },
    );
  }

  test("an impossible pgBinDir fails at once with the reason and leaves nothing", LAB_TEST, async (t) => {
    const baseDir = tempBase(t);
    await assert.rejects(
      startLab({ baseDir, pgBinDir: "/nonexistent/pg/bin", azurite: false }),
      /PostgreSQL binary initdb not found in \/nonexistent\/pg\/bin/,
    );
    assert.deepEqual(fs.readdirSync(baseDir), []);
    assert.deepEqual(processesUnder(baseDir), []);
  });
});
