// The run kernel's unwinding, without a durable host (its compensations here take no activity, so the generator
// runs to its end at once): whatever stops a runbook, every compensation runs newest first; one that breaks is a
// warning and the others still run; a forgotten one does not run; the ending names the step that stopped.
import assert from "node:assert/strict";
/* eslint-disable require-yield -- these runbooks take no activity, so the kernel runs them to the end at once */
import { test } from "node:test";
import type { OrchestrationContext } from "durable-functions";
import { Kernel, Stop, type Ending } from "../../src/orchestrations/kernel";
import type { Gen } from "../../src/orchestrations/durable-calls";

const T0 = new Date("2026-11-27T03:00:00.000Z");
const statuses: unknown[] = [];
const scheduled: { name: string; input: unknown }[] = [];
const ctx = {
  df: {
    currentUtcDateTime: T0,
    setCustomStatus: (s: unknown) => statuses.push(s),
    // A task stands for the activity; the test answers it through the generator (next or throw).
    callActivityWithRetry: (name: string, _retry: unknown, input: unknown) => (
      scheduled.push({ name, input }),
      { name }
    ),
  },
} as unknown as OrchestrationContext;
const kernel = () =>
  new Kernel<"fence" | "promote">(ctx, {
    ref: { runId: "r1", pair: "prod" },
    retry: { firstIntervalSeconds: 1, maxAttempts: 1, backoffCoefficient: 1, maxIntervalSeconds: 1 },
    requester: { oid: "a", name: "alice", roles: [], idp: "aad" },
    alertRun: false,
  });

function run<R>(k: Kernel<"fence" | "promote">, runbook: () => Gen<R>): Ending<R, "fence" | "promote"> {
  const g = k.execute(runbook, function* (e) {
    return e;
  });
  const r = g.next();
  assert.equal(r.done, true, "no activity was scheduled");
  return r.value as Ending<R, "fence" | "promote">;
}

test("a Stop unwinds every compensation newest first; one that breaks is a warning, the rest still run", () => {
  const k = kernel();
  const undone: string[] = [];
  const ending = run(k, function* () {
    k.begin("fence", "fencing");
    k.compensate("lift the fence", () => void undone.push("lift"));
    k.compensate("restore the TTL", () => {
      throw new Error("TTL store unreachable: password=hunter2");
    });
    k.compensate("report", () => void undone.push("report"));
    k.begin("promote", "promoting");
    throw new Stop("failed", "PromoteFailed", "ARM said no");
  });
  assert.deepEqual(undone, ["report", "lift"]);
  assert.deepEqual(ending, {
    ok: false,
    stop: new Stop("failed", "PromoteFailed", "ARM said no"),
    failedStep: "promote",
  });
  assert.equal(k.warnings.length, 1);
  assert.match(k.warnings[0]!, /^could not restore the TTL: TTL store unreachable: /);
  assert.ok(!k.warnings[0]!.includes("hunter2"), "the error is masked before it is shown");
  assert.deepEqual(
    k.phases.map((p) => [p.phase, p.outcome]),
    [["promote", "failed"]],
    "the phase that stopped ends failed (the broken undo ends no other)",
  );
  assert.equal(k.phases[0]!.note, "ARM said no");
});

test("any error, a bug included, stops the run as InternalError and unwinds; a forgotten compensation does not run", () => {
  const k = kernel();
  const undone: string[] = [];
  const ending = run(k, function* () {
    k.compensate("first", () => void undone.push("first"));
    k.compensate("second", () => void undone.push("second"));
    k.forget("first");
    throw new TypeError("cannot read properties of undefined");
  });
  assert.deepEqual(undone, ["second"]);
  assert.equal(ending.ok, false);
  if (!ending.ok) {
    assert.deepEqual([ending.stop.outcome, ending.stop.code], ["failed", "InternalError"]);
    assert.match(ending.stop.reason, /cannot read properties of undefined/);
    assert.equal(ending.failedStep, undefined, "it stopped before any step began");
  }
});

test("a runbook that ends normally runs no compensation; the phase in progress shows in the status", () => {
  const k = kernel();
  const undone: string[] = [];
  const ending = run(k, function* () {
    k.compensate("undo", () => void undone.push("undo"));
    k.begin("fence", "fencing pg-eus");
    assert.equal(k.phase, "fence");
    k.end("ok", "fenced");
    assert.equal(k.phase, undefined);
    return 42;
  });
  assert.deepEqual(ending, { ok: true, value: 42 });
  assert.deepEqual(undone, []);
  assert.deepEqual(k.ref, { runId: "r1", pair: "prod" });
  assert.deepEqual(statuses.at(-1), { step: "fence", since: T0.toISOString(), message: "fencing pg-eus", runId: "r1" });
  assert.deepEqual(
    k.phases.map((p) => [p.phase, p.outcome, p.note]),
    [["fence", "ok", "fenced"]],
  );
  k.begin("promote", "promoting");
  k.end();
  assert.equal(k.phases.at(-1)!.outcome, "ok", "a phase ends ok unless told otherwise");
});

test("the audit's completed line: the outcome, and where and why a run stopped", () => {
  assert.equal(Kernel.endLine("succeeded", { ok: true, value: null }), "succeeded");
  assert.equal(
    Kernel.endLine("failed", { ok: false, stop: new Stop("failed", "PromoteFailed", "no"), failedStep: "promote" }),
    "failed at promote: PromoteFailed no",
  );
  assert.equal(
    Kernel.endLine("refused", { ok: false, stop: new Stop("refused", "Busy", "held"), failedStep: undefined }),
    "refused: Busy held",
  );
});

/** Runs a runbook whose one activity answers `answer` (a value, or an Error thrown into the orchestration). */
function runWithActivity<R>(k: Kernel<"fence" | "promote">, runbook: () => Gen<R>, answer: unknown) {
  const g = k.execute(runbook, function* (e) {
    return e;
  });
  const first = g.next();
  assert.equal(first.done, false, "the activity was scheduled");
  const r = answer instanceof Error ? g.throw(answer) : g.next(answer);
  assert.equal(r.done, true);
  return r.value as Ending<R, "fence" | "promote">;
}

test("a step whose retries ran out stops the run as <Phase>Failed (or <Step>Failed outside a phase), with the error's first line", () => {
  const long = `socket hang up ${"x".repeat(1500)}\nat Socket.onend`;
  const k0 = kernel();
  const outside = runWithActivity(
    k0,
    function* () {
      return yield* k0.call("preflight", {} as never);
    },
    new Error(long),
  );
  assert.equal(outside.ok, false);
  if (!outside.ok) {
    assert.deepEqual([outside.stop.outcome, outside.stop.code], ["failed", "PreflightFailed"]);
    assert.equal(outside.stop.reason, long.split("\n")[0]!.slice(0, 1000), "one line, at most 1000 characters");
  }
  const k = kernel();
  const inside = runWithActivity(
    k,
    function* () {
      k.begin("promote", "promoting");
      return yield* k.call("checkPromotion", {} as never);
    },
    new Error("ECONNRESET"),
  );
  assert.deepEqual(!inside.ok && [inside.stop.code, inside.stop.reason, inside.failedStep], [
    "PromoteFailed",
    "ECONNRESET",
    "promote",
  ]);
});

test("a step that refuses stops the run as refused with its code and reason, after its onRefused; a result is returned", () => {
  const k = kernel();
  const seen: unknown[] = [];
  const refused = runWithActivity(
    k,
    function* () {
      return yield* k.call("preflight", {} as never, (r) => void seen.push(r));
    },
    { kind: "refused", code: "NotAReplica", reason: "pg-wus is a primary" },
  );
  assert.deepEqual(!refused.ok && [refused.stop.outcome, refused.stop.code, refused.stop.reason], [
    "refused",
    "NotAReplica",
    "pg-wus is a primary",
  ]);
  assert.deepEqual(seen, [{ kind: "refused", code: "NotAReplica", reason: "pg-wus is a primary" }]);
  const k1 = kernel();
  const ok = runWithActivity(
    k1,
    function* () {
      return yield* k1.call("preflight", {} as never);
    },
    { kind: "planned", x: 1 },
  );
  assert.deepEqual(ok, { ok: true, value: { kind: "planned", x: 1 } });
  assert.deepEqual(scheduled.at(-1)?.input, { runId: "r1", pair: "prod" }, "every step is given the run's ids");
});

test("what is thrown that is not an Error is still said: its text", async () => {
  const { errorMessage } = await import("../../src/orchestrations/durable-calls");
  assert.equal(errorMessage(null), "null");
  assert.equal(errorMessage("ECONNREFUSED\nmore"), "ECONNREFUSED");
});

test("a run that confirms no alert ends as it stopped, a false alarm being a failure", async () => {
  const { withoutFalseAlarm } = await import("../../src/orchestrations/kernel");
  assert.deepEqual((["refused", "failed", "aborted", "falseAlarm"] as const).map(withoutFalseAlarm), [
    "refused",
    "failed",
    "aborted",
    "failed",
  ]);
});

test("why a step did not give what was hoped: its refusal's reason, its error, or nothing to say", async () => {
  const { whyNot } = await import("../../src/orchestrations/kernel");
  assert.equal(
    whyNot({ ok: true, value: { kind: "refused", code: "Gone", reason: "pg-eus does not exist" } }),
    "pg-eus does not exist",
  );
  assert.equal(whyNot({ ok: false, error: "ECONNRESET" }), "ECONNRESET");
  assert.equal(whyNot({ ok: true, value: { kind: "done" } }), "");
  assert.equal(whyNot({ ok: true, value: null }), "");
});

test("an undo that breaks inside its own phase ends that phase failed, with the masked error as its note", () => {
  const k = kernel();
  run(k, function* () {
    k.compensate("lift the fence", () => {
      k.begin("fence", "lifting the fence");
      throw new Error("ARM unreachable: password=hunter2");
    });
    k.begin("promote", "promoting");
    throw new Stop("failed", "PromoteFailed", "ARM said no");
  });
  const lifted = k.phases.at(-1)!;
  assert.deepEqual([lifted.phase, lifted.outcome], ["fence", "failed"]);
  assert.match(lifted.note ?? "", /^ARM unreachable: /);
  assert.ok(!(lifted.note ?? "").includes("hunter2"));
});

test("attemptEach with no calls schedules nothing and answers nothing", () => {
  const before = scheduled.length;
  const g = kernel().attemptEach("claimPair", []);
  assert.deepEqual(g.next(), { done: true, value: [] });
  assert.equal(scheduled.length, before);
});
