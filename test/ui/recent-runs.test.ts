// The journal's recentRuns (behind GET /api/pairs/{pair}/runs): a pair's requested entries, newest first,
// each with its completed entry once the run has ended; other pairs, steps and attempt counters never show.
// Against Azurite's table service for real, and the in-memory twin.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { startAzurite, type Azurite } from "../../local/lab/azurite";
import { MemoryAuditJournal, TableAuditJournal, type AuditJournal } from "../../src/audit/journal";

let azurite: Azurite | undefined;
let dir = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "pgflex-azurite-"));
  azurite = await startAzurite(dir);
});
after(async () => {
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const implementations: [string, () => AuditJournal][] = [
  [
    "Table Storage (Azurite)",
    () =>
      new TableAuditJournal(
        TableClient.fromConnectionString(azurite!.connectionString, `Runs${randomUUID().slice(0, 8)}`, {
          allowInsecureConnection: true,
        }),
      ),
  ],
  ["memory", () => new MemoryAuditJournal()],
];

for (const [name, make] of implementations) {
  describe(`${name} journal: recentRuns`, () => {
    test("newest first, at most `limit`, with the completed entry of the runs that ended", async () => {
      const j = make();
      const runs = [randomUUID(), randomUUID(), randomUUID()];
      const at = (minute: number) => `2026-11-27T03:${String(minute).padStart(2, "0")}:00.000Z`;
      const requested = (runId: string, pair: string, minute: number) =>
        j.append({
          runId,
          pair,
          at: at(minute),
          step: "run",
          event: "requested",
          summary: `run ${minute}`,
          detail: { instanceId: `failover-${pair}-${runId}` },
        });
      await requested(runs[0]!, "prod", 1);
      await requested(runs[1]!, "prod", 20);
      await requested(runs[2]!, "prod", 10);
      await requested(randomUUID(), "other", 30);
      for (const runId of runs) {
        await j.append({ runId, pair: "prod", step: "preflight", event: "started", summary: "preflight" });
        await j.nextAttempt(runId, { step: "preflight" });
      }
      await j.append({
        runId: runs[2]!,
        pair: "prod",
        at: at(12),
        step: "run",
        event: "completed",
        summary: "succeeded",
        detail: { outcome: "succeeded", rto: { total: 4.2 } },
      });

      const two = await j.recentRuns("prod", 2);
      assert.deepEqual(
        two.map((r) => r.requested.runId),
        [runs[1], runs[2]],
      );
      assert.equal(two[0]!.completed, undefined, "still running: no completed entry");
      assert.equal(two[1]!.completed?.summary, "succeeded");
      assert.deepEqual(two[1]!.completed?.detail, { outcome: "succeeded", rto: { total: 4.2 } });
      assert.deepEqual(two[1]!.requested.detail, { instanceId: `failover-prod-${runs[2]}` });

      assert.deepEqual(
        (await j.recentRuns("prod", 10)).map((r) => r.requested.summary),
        ["run 20", "run 10", "run 1"],
      );
      assert.deepEqual(await j.recentRuns("nobody", 10), []);
      assert.deepEqual(await j.recentRuns("prod", 0), []);
    });
  });
}
