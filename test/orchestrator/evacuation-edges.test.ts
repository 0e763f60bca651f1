// An evacuation at its edges, through the real replay: the approval's status line, a claim that fails (not held:
// the store itself), and a batch where one pair's run dies outright while another is still running — that one is
// reported as running, with where to follow it, and not counted as done.
import assert from "node:assert/strict";
import { test } from "node:test";
import { took } from "./harness";
import { all, approve, evacuate, input, outcomeOf, planned, script } from "./evacuation-fixtures";

test("the approval's status names how many pairs and until when, with the plan beside it", async () => {
  const r = await evacuate(
    input,
    script([planned("a", { needsApproval: true }), planned("b", { needsApproval: true })]),
    all(),
    [approve()],
  );
  const waiting = r.statuses.find((s) => (s as { awaitingApproval?: unknown }).awaitingApproval);
  assert.match(waiting?.message ?? "", /^awaiting approval of the evacuation of 2 pair\(s\) until \d{4}-/);
});

test("a pair whose claim cannot be made is skipped with the error, and the others go on", async () => {
  const r = await evacuate(
    { ...input, policy: { approval: { twoPerson: false, timeoutMinutes: 30 } } },
    script([planned("a"), planned("b")], {
      claimPair: (i) => (i.pair === "a" ? new Error("lease table unreachable") : { kind: "claimed" }),
    }),
  );
  const a = r.output.pairs.find((p) => p.pair === "a");
  assert.equal(a?.outcome, "skipped");
  assert.match(a?.reason ?? "", /lease table unreachable/);
  assert.equal(r.output.pairs.find((p) => p.pair === "b")?.outcome, "succeeded");
});

test("a batch's claims run at once; one that fails while another is still being made does not cut that one short, nor schedule it twice", async () => {
  const r = await evacuate(
    { ...input, policy: { approval: { twoPerson: false, timeoutMinutes: 30 } } },
    script([planned("a"), planned("b"), planned("c")], {
      // a fails at once, every attempt; b's claim takes ten minutes (longer than a's retries), c's is quick.
      claimPair: (i) =>
        i.pair === "a"
          ? new Error("lease table unreachable")
          : i.pair === "b"
            ? took(600_000, { kind: "claimed" as const })
            : { kind: "claimed" as const },
    }),
  );
  const claims = r.calls.filter((c) => c.key === "claimPair");
  const first = claims.filter((c) => c.attempt === 1);
  assert.deepEqual(
    first.map((c) => [c.input.pair, c.atMs]),
    [
      ["a", first[0]!.atMs],
      ["b", first[0]!.atMs],
      ["c", first[0]!.atMs],
    ],
    "the three claims are asked for together",
  );
  assert.deepEqual(
    claims.filter((c) => c.input.pair !== "a").map((c) => [c.input.pair, c.attempt]),
    [
      ["b", 1],
      ["c", 1],
    ],
    "b and c are each claimed once: awaiting b again after a failed does not schedule it again",
  );
  assert.ok(claims.filter((c) => c.input.pair === "a").length > 1, "a's claim was retried by its policy");
  const byPair = Object.fromEntries(r.output.pairs.map((p) => [p.pair, p]));
  assert.equal(byPair.a?.outcome, "skipped");
  assert.match(byPair.a?.reason ?? "", /lease table unreachable/);
  assert.deepEqual([byPair.b?.outcome, byPair.c?.outcome], ["succeeded", "succeeded"]);
  assert.deepEqual(
    r.output.pairs.map((p) => p.pair),
    ["a", "b", "c"],
    "the results keep the plan's order",
  );
});

test("a batch where one run dies outright while another still runs: that one is running, with where to follow it, and not counted done while the next batch runs", async () => {
  const r = await evacuate({ ...input, concurrency: 2 }, script([planned("a"), planned("b"), planned("c")]), {
    failover: (i) => (i.pair === "a" ? new Error("orchestrator crashed") : took(600_000, outcomeOf(i, "succeeded"))),
  });
  const byPair = Object.fromEntries(r.output.pairs.map((p) => [p.pair, p]));
  assert.deepEqual([byPair.a?.outcome, byPair.a?.code], ["failed", "RunFailed"]);
  assert.equal(byPair.b?.outcome, "running");
  assert.equal(byPair.b?.reason, "still running when another run of its batch failed outright: follow its own status");
  assert.ok(
    r.statuses.some((s) => s.message === "1 of 3 pair(s) done"),
    JSON.stringify(r.statuses.map((s) => s.message)),
  );
});
