// A permanent ARM answer (403) is a typed refusal, not a failure after retries: at every step the run
// stops at once (no durable retry, no SDK retry), says which step and why, and unwinds what it did.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cnameRecord, follow, promotePatches, requestFailover, roles, start, waitFor, type Stack } from "./helpers";

const forbidden = (method: string, path: string) =>
  ({ kind: "status", status: 403, code: "AuthorizationFailed", method, path, times: "always" }) as const;

describe("403 before the promote: refused at once, nothing left changed", () => {
  let stack: Stack;
  before(async () => {
    stack = await start();
  });
  after(() => stack?.stop());

  for (const [step, method, path] of [
    ["preflight", "GET", "/CNAME/"],
    ["lowerTtl", "PUT", "/CNAME/"],
    ["promote", "PATCH", "/flexibleServers/"],
  ] as const) {
    test(`${step}: ${method} answered 403`, async () => {
      const before = { cname: cnameRecord(stack), roles: roles(stack) };
      const { lab } = stack;
      lab.clearRequests();
      const fault = lab.faults.add(forbidden(method, path));
      try {
        const run = await follow(stack, (await requestFailover(stack, {})).id);
        assert.deepEqual([run.out.outcome, run.out.failedStep, run.out.code], ["refused", step, "AuthorizationFailed"]);
        const hits = lab.requests().filter((r) => r.method === method && r.path.includes(path) && r.status === 403);
        assert.equal(hits.length, 1, `one ${method} and no retry of it: ${JSON.stringify(hits)}`);
        const attempts = run.view.timeline.filter(
          (e) => e.event === "started" && e.step === (step === "preflight" ? "preflight" : step),
        );
        assert.equal(attempts.length, 1, "the activity ran once");
        assert.deepEqual(
          { target: cnameRecord(stack).target, ttl: cnameRecord(stack).ttl },
          { target: before.cname.target, ttl: 3600 },
        );
        assert.deepEqual(roles(stack), before.roles);
        // The old primary takes writes as before: a fence applied before the stop was lifted again.
        assert.equal(run.out.fence?.state ?? "none", step === "promote" ? "lifted" : "none");
        const [ro] = await lab.adminQuery<{ ro: string }>(
          "primary",
          "select current_setting('default_transaction_read_only') ro",
        );
        assert.equal(ro!.ro, "off");
        await lab.adminQuery("primary", "insert into lab_writes(note) values ('after the stopped run')");
      } finally {
        lab.faults.clear(fault.id);
      }
    });
  }
});

// Each of these starts its own stack and mostly waits on it: run side by side.
describe("403 after the promote was accepted", { concurrency: true }, () => {
  test("checkPromotion: the server GET answered 403 — the data plane decides: the promoted server is writable, the run goes on", async (t) => {
    // Before: the run ended refused at the first ARM read, never looking at the server, which was already
    // writable — two writable servers, the CNAME on the old one. ARM's answer is evidence, not a gate.
    const stack = await start({ lab: { promoteDelayMs: 2000 } });
    t.after(() => stack.stop());
    const { lab } = stack;
    const { id } = await requestFailover(stack, {});
    await waitFor("the promote PATCH accepted", () => (promotePatches(stack).length === 1 ? true : undefined));
    lab.faults.add(forbidden("GET", `/flexibleServers/${lab.info.servers.replica.name}`));
    const run = await follow(stack, id);
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    assert.equal(cnameRecord(stack).target, lab.info.servers.replica.aRecordFqdn);
    const checks = run.view.timeline.filter((e) => e.step === "checkPromotion" && e.event === "succeeded");
    assert.ok(
      checks.some((e) => /AuthorizationFailed/.test(e.summary)),
      checks.map((e) => e.summary).join("\n"),
    );
  });

  test("repoint: the CNAME PUT answered 403 — refused, the CNAME stays on the old primary, reported", async (t) => {
    const stack = await start({ lab: { promoteDelayMs: 1500 } });
    t.after(() => stack.stop());
    const { lab } = stack;
    const { id } = await requestFailover(stack, {});
    await waitFor("the promote PATCH accepted", () => (promotePatches(stack).length === 1 ? true : undefined));
    lab.faults.add(forbidden("PUT", "/CNAME/"));
    const run = await follow(stack, id);
    assert.deepEqual(
      [run.out.outcome, run.out.failedStep, run.out.code],
      ["refused", "repoint", "AuthorizationFailed"],
    );
    assert.equal(cnameRecord(stack).target, lab.info.servers.primary.aRecordFqdn);
    assert.ok(
      run.out.warnings.some((w) => /promoted and writable but the CNAME was not moved/.test(w)),
      run.out.warnings.join("; "),
    );
    assert.ok(
      run.out.warnings.some((w) => /TTL was not restored: .*AuthorizationFailed/.test(w)),
      "the TTL compensation was refused too, and said so",
    );
    assert.equal(run.view.timeline.filter((e) => e.step === "repoint" && e.event === "started").length, 1);
  });

  test("restoreTtl: the CNAME PUT answered 403 — the verified failover stands, the warning names the refusal", async (t) => {
    const stack = await start({ pair: { timings: { stabiliseSeconds: 4 } } });
    t.after(() => stack.stop());
    const { lab } = stack;
    const { id } = await requestFailover(stack, {});
    await waitFor("the stabilisation wait", async () => {
      const r = await stack.api.get<{ currentStep: { step: string } | null }>(`/api/failovers/${id}`);
      return r.body.currentStep?.step === "stabilise" ? true : undefined;
    });
    lab.faults.add(forbidden("PUT", "/CNAME/"));
    const run = await follow(stack, id);
    assert.equal(run.out.outcome, "succeeded");
    assert.equal(cnameRecord(stack).target, lab.info.servers.replica.aRecordFqdn);
    assert.ok(
      run.out.warnings.some((w) => /TTL was not restored: .*AuthorizationFailed/.test(w)),
      run.out.warnings.join("; "),
    );
    assert.equal(run.out.phases.at(-1)?.outcome, "refused");
    assert.equal(run.view.timeline.filter((e) => e.step === "restoreTtl" && e.event === "started").length, 1);
  });
});
