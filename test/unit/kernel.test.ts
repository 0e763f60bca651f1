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
const ctx = {
  df: { currentUtcDateTime: T0, setCustomStatus: (s: unknown) => statuses.push(s) },
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
