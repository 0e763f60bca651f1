// What an audited step writes, entry by entry, as the run's timeline shows it: the started entry's summary and
// input (never the run's own ids again), a refusal's code and reason, an ARM refusal turned into a typed refusal
// the orchestrator stops on, a step's own error rather than the counter's, and how long it took.
import assert from "node:assert/strict";
import { test } from "node:test";
import { audited } from "../../src/activities/audited";
import { MemoryAuditJournal } from "../../src/audit/journal";
import { ArmRefusal } from "../../src/azure/errors";

const run = { runId: "run-1", pair: "prod" };

test("a poll's entries: 'step poll N', the input without the run's ids, the output, the attempt and the duration", async () => {
  const journal = new MemoryAuditJournal();
  const fn = audited(
    "checkPromotion",
    journal,
    (o: { kind: string; progress: string }) => `progress ${o.progress}`,
    async (_i: typeof run & { poll: number; server: string }) => {
      await new Promise((r) => setTimeout(r, 30));
      return { kind: "checked", progress: "promoting" };
    },
  );
  await fn({ ...run, poll: 3, server: "pg-wus" });
  const [started, ended] = journal.entries;
  assert.deepEqual(
    [started!.event, started!.summary, started!.attempt, started!.detail, started!.runId, started!.pair],
    ["started", "checkPromotion poll 3", 1, { input: { poll: 3, server: "pg-wus" } }, "run-1", "prod"],
  );
  assert.deepEqual(
    [ended!.event, ended!.summary, ended!.attempt, ended!.detail],
    ["succeeded", "progress promoting", 1, { output: { kind: "checked", progress: "promoting" } }],
  );
  assert.ok((ended!.durationMs ?? 0) >= 25, `durationMs ${ended!.durationMs}`);
});

test("a refusal is written as refused with its code and reason, and returned as it is", async () => {
  const journal = new MemoryAuditJournal();
  const refusal = { kind: "refused" as const, code: "ConcurrentChange", reason: "someone else moved the CNAME" };
  const r = await audited(
    "repointCname",
    journal,
    () => "moved",
    async () => refusal,
  )(run);
  assert.deepEqual(r, refusal);
  const ended = journal.entries[1]!;
  assert.deepEqual(
    [ended.event, ended.summary, ended.detail],
    ["refused", "ConcurrentChange: someone else moved the CNAME", { output: refusal }],
  );
});

test("an ARM refusal thrown by an adapter becomes a typed refusal (not retried), written as refused", async () => {
  const journal = new MemoryAuditJournal();
  const r = await audited(
    "promote",
    journal,
    () => "started",
    async () => {
      throw new ArmRefusal("promote pg-wus", "AuthorizationFailed", 403, "no access");
    },
  )(run);
  assert.equal(r.kind, "refused");
  if (r.kind !== "refused") return;
  assert.equal(r.code, "AuthorizationFailed");
  const ended = journal.entries[1]!;
  assert.deepEqual([ended.event, ended.summary], ["refused", `AuthorizationFailed: ${r.reason}`]);
  assert.deepEqual(ended.detail, { output: r });
});

test("a failed step says its error will be retried; with the counter also down, the step's own error is what is thrown", async () => {
  const journal = new MemoryAuditJournal();
  const boom = () => {
    throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  };
  await assert.rejects(
    audited(
      "lowerTtl",
      journal,
      () => "x",
      async () => boom(),
    )(run),
    /socket hang up/,
  );
  assert.equal(journal.entries[1]!.summary, "ECONNRESET: socket hang up (retried if attempts remain)");
  assert.deepEqual(journal.entries[1]!.detail, {});
  journal.nextAttempt = async () => {
    throw new Error("counter unreachable");
  };
  await assert.rejects(
    audited(
      "lowerTtl",
      journal,
      () => "x",
      async () => boom(),
    )(run),
    /socket hang up/,
  );
});

// Mutation testing (issue 23): the Azure SDK's own retries inside a step are on record, in the summary and detail.
test("the tries the Azure SDK retried by itself inside a step are named in its outcome's summary and detail", async () => {
  const { sdkTryRecorderPolicy } = await import("../../src/azure/sdk-retries");
  const policy = sdkTryRecorderPolicy();
  const url =
    "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-wus?api-version=2024-08-01";
  const statuses = [429, 503, 200];
  const journal = new MemoryAuditJournal();
  const fn = audited(
    "promote",
    journal,
    () => "promote accepted",
    async (_i: typeof run) => {
      for (let i = 0; i < statuses.length; i++)
        await policy.sendRequest({ method: "PATCH", url } as never, async () => ({ status: statuses[i]! }) as never);
      return { kind: "started" };
    },
  );
  await fn({ ...run });
  const ended = journal.entries.at(-1)!;
  assert.equal(
    ended.summary,
    "promote accepted; Azure SDK tries that failed (the SDK retries these itself): HTTP 429 PATCH …/flexibleServers/pg-wus, HTTP 503 PATCH …/flexibleServers/pg-wus",
  );
  const tries = (ended.detail as { sdkRetries: { outcome: string; path: string }[] }).sdkRetries;
  assert.deepEqual(
    tries.map((t) => [t.outcome, t.path]),
    [
      ["HTTP 429", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-wus"],
      ["HTTP 503", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-wus"],
    ],
  );
  const quiet = new MemoryAuditJournal();
  await audited(
    "promote",
    quiet,
    () => "promote accepted",
    async (_i: typeof run) => ({ kind: "started" }),
  )({ ...run });
  assert.deepEqual(
    [quiet.entries.at(-1)!.summary, quiet.entries.at(-1)!.detail],
    ["promote accepted", { output: { kind: "started" } }],
  );
});
