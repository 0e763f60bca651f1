// The audit journal's contract, against Azurite's table service for real (and the in-memory twin):
// attempt numbering without re-reading the timeline, and counters that never show up in it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TableClient } from "@azure/data-tables";
import { startAzurite, type Azurite } from "../../local/lab/azurite";
import { audited } from "../../src/activities/audited";
import { MemoryAuditJournal, TableAuditJournal, type AuditJournal } from "../../src/audit/journal";

let azurite: Azurite | undefined;
let dir = "";
const TABLE = "JournalTest";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "pgflex-azurite-"));
  azurite = await startAzurite(dir);
});
after(async () => {
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh journal per call: two of them over one table behave like two Function App instances. */
const table = () =>
  new TableAuditJournal(
    TableClient.fromConnectionString(azurite!.connectionString, TABLE, { allowInsecureConnection: true }),
  );
const memory = new MemoryAuditJournal();
const implementations: [string, () => AuditJournal][] = [
  ["Table Storage (Azurite)", table],
  ["memory", () => memory],
];

const entry = (runId: string, step: string, summary: string) =>
  ({ runId, pair: "prod", step, event: "requested", summary }) as const;

for (const [name, journal] of implementations) {
  describe(`${name} journal`, () => {
    test("attempts count per step, per poll, per run, starting at 1", async () => {
      const j = journal();
      const run = randomUUID();
      const sequence: [string, { step: string; poll?: number }, number][] = [
        [run, { step: "promote" }, 1],
        [run, { step: "promote" }, 2],
        [run, { step: "promote" }, 3],
        [run, { step: "lowerTtl" }, 1],
        [run, { step: "checkPromotion", poll: 1 }, 1],
        [run, { step: "checkPromotion", poll: 1 }, 2],
        [run, { step: "checkPromotion", poll: 2 }, 1],
        [run, { step: "checkPromotion" }, 1],
        [randomUUID(), { step: "promote" }, 1],
      ];
      for (const [runId, key, expected] of sequence)
        assert.equal(await j.nextAttempt(runId, key), expected, `${key.step} poll ${key.poll}`);
    });

    test("concurrent callers get distinct numbers", async () => {
      const run = randomUUID();
      const key = { step: "verify", poll: 3 };
      // Separate journals (separate clients) racing on one counter, as two workers would.
      const numbers = await Promise.all(Array.from({ length: 6 }, () => journal().nextAttempt(run, key)));
      assert.deepEqual(
        [...numbers].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
      assert.equal(await journal().nextAttempt(run, key), 7);
    });

    test("counters never show up in the timeline", async () => {
      const j = journal();
      const run = `run-${randomUUID()}`;
      await j.append(entry(run, "preflight", "first"));
      await j.nextAttempt(run, { step: "preflight" });
      await j.nextAttempt(run, { step: "verify", poll: 1 });
      await j.append(entry(run, "verify", "second"));
      await j.nextAttempt(run, { step: "verify", poll: 1 });
      const timeline = await j.list(run);
      assert.deepEqual(
        timeline.map((e) => [e.step, e.summary]),
        [
          ["preflight", "first"],
          ["verify", "second"],
        ],
      );
    });

    test("a batch of one run's entries lands whole, in its order; a batch across runs is refused", async () => {
      const j = journal();
      const run = `run-${randomUUID()}`;
      const at = new Date().toISOString();
      await j.appendBatch([
        { ...entry(run, "fence", "fence"), event: "started", at },
        { ...entry(run, "fence", "fenced, password=hunter2"), event: "succeeded", at },
      ]);
      assert.deepEqual(
        (await j.list(run)).map((e) => [e.event, e.summary]),
        [
          ["started", "fence"],
          ["succeeded", "fenced, password=[redacted]"],
        ],
      );
      await assert.rejects(j.appendBatch([entry(run, "a", "a"), entry(`other-${run}`, "b", "b")]), /one run/);
      assert.equal((await j.list(`other-${run}`)).length, 0);
    });

    test("a first attempt lands with its counter, all or none: once per (step, poll), then the counter numbers retries", async () => {
      const j = journal();
      const run = `run-${randomUUID()}`;
      const at = new Date().toISOString();
      const pair = (summary: string, attempt: number) => [
        { ...entry(run, "fence", summary), event: "started" as const, attempt, at },
        { ...entry(run, "fence", summary), event: "succeeded" as const, attempt, at },
      ];
      assert.equal(await j.appendFirstAttempt(run, { step: "fence" }, pair("first", 1)), true);
      assert.equal(await j.appendFirstAttempt(run, { step: "fence" }, pair("again", 1)), false, "the counter is there");
      assert.equal(await j.nextAttempt(run, { step: "fence" }), 2, "the first attempt was counted");
      assert.equal(await j.appendFirstAttempt(run, { step: "fence", poll: 1 }, pair("poll 1", 1)), true);
      await j.nextAttempt(run, { step: "verify" });
      assert.equal(
        await j.appendFirstAttempt(run, { step: "verify" }, pair("verify", 1)),
        false,
        "a counter nextAttempt made counts too",
      );
      assert.deepEqual(
        (await j.list(run)).map((e) => `${e.event} ${e.summary}`).sort(),
        ["started first", "started poll 1", "succeeded first", "succeeded poll 1"],
        "what a refused call carried is nowhere, and the counters never show",
      );
      await assert.rejects(
        j.appendFirstAttempt(run, { step: "x" }, [entry(`other-${run}`, "x", "x")]),
        /one run/,
        "entries of another run do not share the counter's transaction",
      );
      assert.equal(await j.appendFirstAttempt(run, { step: "x" }, [entry(run, "x", "x")]), true, "and wrote nothing");
    });

    test("a run id with a quote is escaped in the query, not injected", async () => {
      const j = journal();
      const tag = randomUUID();
      await j.append(entry(`it's-${tag}`, "run", "quoted"));
      await j.append(entry(`other-${tag}`, "run", "other"));
      assert.deepEqual(
        (await j.list(`it's-${tag}`)).map((e) => e.summary),
        ["quoted"],
      );
      assert.deepEqual(await j.list(`x' or PartitionKey ne '${tag}`), []);
    });
  });
}

test("the counters are one small entity per (step, poll) in the run's partition", async () => {
  const run = randomUUID();
  const j = table();
  for (let i = 0; i < 3; i++) await j.nextAttempt(run, { step: "checkPromotion", poll: 1 });
  await j.nextAttempt(run, { step: "checkPromotion", poll: 2 });
  const client = TableClient.fromConnectionString(azurite!.connectionString, TABLE, { allowInsecureConnection: true });
  const rows: [string, unknown][] = [];
  for await (const e of client.listEntities<{ attempts: number }>({
    queryOptions: { filter: `PartitionKey eq '${run}'` },
  }))
    rows.push([e.rowKey!, e.attempts]);
  assert.deepEqual(rows, [
    ["~attempt|checkPromotion|1", 3],
    ["~attempt|checkPromotion|2", 1],
  ]);
  // A step a run takes for several pairs counts per pair (its key names the pair, encoded like the step).
  await j.nextAttempt(run, { step: "claim", pair: "prod|eu" });
  assert.equal(await j.appendFirstAttempt(run, { step: "claim", pair: "prod-us" }, []), true);
  const claims: string[] = [];
  for await (const e of client.listEntities({
    queryOptions: { filter: `PartitionKey eq '${run}' and RowKey ge '~attempt|claim' and RowKey lt '~attempt|claim}'` },
  }))
    claims.push(e.rowKey!);
  assert.deepEqual(claims, ["~attempt|claim|-|prod%7Ceu", "~attempt|claim|-|prod-us"]);
});

test("audited activities number their retries through Table Storage, and the timeline shows them", async () => {
  const j = table();
  const run = { runId: randomUUID(), pair: "prod" };
  let calls = 0;
  const check = audited(
    "checkPromotion",
    j,
    () => "ok",
    async (_: typeof run & { poll: number }) => {
      if (++calls === 2) throw Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" });
      return { writable: false };
    },
  );
  await check({ ...run, poll: 1 });
  await assert.rejects(check({ ...run, poll: 2 }));
  await check({ ...run, poll: 2 });
  const started = (await j.list(run.runId)).filter((e) => e.event === "started").map((e) => [e.summary, e.attempt]);
  assert.deepEqual(started, [
    ["checkPromotion poll 1", 1],
    ["checkPromotion poll 2", 1],
    ["checkPromotion poll 2 retry 1", 2],
  ]);
});
