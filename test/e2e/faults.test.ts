// Transient ARM faults are retried (by the SDK pipeline, and past it by the durable retry policy) and the
// failover still completes with exactly one promote; a host killed mid-run resumes without redoing
// completed steps or promoting twice.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  cnameRecord,
  currentStep,
  follow,
  promotePatches,
  requestFailover,
  resolveCname,
  start,
  waitFor,
} from "./helpers";

// Each test starts its own stack and mostly waits on it: run side by side.
describe("transient faults and host crashes", { concurrency: true }, () => {
  test("429, 500, 503 and dropped connections on every step are retried; one promote", async (t) => {
    const stack = await start();
    t.after(() => stack.stop());
    const { lab } = stack;
    lab.faults.add({ kind: "status", status: 429, retryAfterSeconds: 1, method: "GET", path: "/CNAME/", times: 1 });
    lab.faults.add({ kind: "status", status: 500, method: "PUT", path: "/CNAME/", times: 1 });
    lab.faults.add({ kind: "drop", method: "GET", path: "/flexibleServers/", times: 2 });
    lab.faults.add({
      kind: "status",
      status: 503,
      retryAfterSeconds: 1,
      method: "PATCH",
      path: "/flexibleServers/",
      times: 1,
    });
    // Five 500s outlast the SDK pipeline's own retries: the promote activity fails once and the
    // orchestration's retry policy runs it again.
    lab.faults.add({ kind: "status", status: 500, method: "PATCH", path: "/flexibleServers/", times: 5 });

    const run = await follow(stack, (await requestFailover(stack, {})).id);
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    assert.equal((await resolveCname(stack)).target, lab.info.servers.replica.aRecordFqdn);
    assert.equal(promotePatches(stack).length, 1, "exactly one promote was accepted");
    assert.equal(lab.faults.list().length, 0, "every injected fault was hit");
    const promote = run.view.timeline.filter((e) => e.step === "promote");
    assert.deepEqual(
      promote.map((e) => `${e.event}:${e.attempt}`),
      ["started:1", "failed:1", "started:2", "succeeded:2"],
    );
    // Every retry is audited, the SDK pipeline's own included: each injected fault is one recorded try.
    const tries = run.view.timeline.flatMap(
      (e) =>
        ((e as { detail?: unknown }).detail as { sdkRetries?: { outcome: string }[] } | undefined)?.sdkRetries ?? [],
    );
    const count = (re: RegExp) => tries.filter((x) => re.test(x.outcome)).length;
    assert.deepEqual(
      {
        total: tries.length,
        http429: count(/^HTTP 429$/),
        http500: count(/^HTTP 500$/),
        http503: count(/^HTTP 503$/),
        network: count(/^(?!HTTP)/),
      },
      { total: 10, http429: 1, http500: 6, http503: 1, network: 2 },
      JSON.stringify(tries),
    );
    assert.ok(
      promote.some((e) => /Azure SDK tries that failed/.test(e.summary)),
      "the attempt's summary says so too",
    );
  });

  test("SIGKILL of the host during the drain timer and during the promote: resumes, one promote, no step redone", async (t) => {
    const stack = await start({ pair: { timings: { drainCapSeconds: 3 } } });
    t.after(() => stack.stop());
    const { lab } = stack;
    const { id } = await requestFailover(stack, {});
    const step = () => currentStep(stack, id);

    await waitFor("the drain timer", async () => ((await step()) === "drain" ? true : undefined));
    await stack.restartHost(); // SIGKILL, then a new host on the same data dir

    // Hold the promote PATCH so the host dies while the promote activity is in flight.
    const hold = lab.faults.add({ kind: "stall", method: "PATCH", path: "/flexibleServers/", times: 1 }); // until cleared
    await waitFor("the promote in flight", () => (lab.faults.list().some((f) => f.id === hold.id) ? undefined : true));
    await stack.restartHost();
    lab.faults.clear(hold.id);

    const run = await follow(stack, id);
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    assert.equal((await resolveCname(stack)).target, lab.info.servers.replica.aRecordFqdn);
    assert.equal(cnameRecord(stack).ttl, 3600);
    const promotes = lab.operations().filter((o) => /promote/i.test(JSON.stringify(o)));
    assert.equal(promotes.length, 1, `one promote operation: ${JSON.stringify(promotes)}`);
    const started = (s: string) => run.view.timeline.filter((e) => e.step === s && e.event === "started").length;
    assert.equal(started("preflight"), 1, "preflight completed before the crash and was not run again");
    assert.equal(started("lowerTtl"), 1, "lowerTtl completed before the crash and was not run again");
    assert.equal(promotePatches(stack).length, 1, "exactly one promote PATCH was accepted");
  });
});
