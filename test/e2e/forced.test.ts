// Region down: a planned failover is refused (it would wait for a primary that is gone); a forced one
// reports the data at risk from the last lag sample taken while the primary lived, refuses to promote
// blind, promotes and moves prod, says the old primary is not fenced — and fences it when its region
// comes back.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  cnameRecord,
  failover,
  inRecovery,
  pairView,
  pairViewOnce,
  resolveCname,
  roles,
  runFunction,
  start,
  waitFor,
} from "./helpers";

test("forced failover with the primary's region down, then back", async (t) => {
  // Approval of forced failovers (the default) has its own test: here the pair runs them at once.
  // The minute lag sweep is off (run through the admin API below): the sample the run uses is the test's own.
  const stack = await start({
    pair: { approval: { mode: "never" } },
    settings: { "AzureWebJobs.lag-sampler.Disabled": "true" },
  });
  let sampled: { bytes: number | null; at: string } | undefined;
  t.after(() => stack.stop());
  const { lab } = stack;
  const { primary, replica } = lab.info.servers;

  await t.test("while the primary answers, a forced dry run measures the data at risk", async () => {
    const run = await failover(stack, { option: "Forced", dryRun: true });
    assert.equal(run.out.outcome, "dryRun");
    assert.equal(run.out.risk?.source, "measured");
  });

  await t.test(
    "with the primary down and no lag sample of it alive, a forced failover is refused: the data at risk is unknown",
    async () => {
      await lab.regionDown(primary.region);
      const run = await failover(stack, { option: "Forced" });
      assert.deepEqual([run.out.outcome, run.out.code], ["refused", "DataLossNotAccepted"]);
      assert.match(run.out.reason!, /unknown.*acceptDataLoss/);
      assert.equal(await inRecovery(stack, "replica"), true, "nothing was promoted");
      await lab.regionUp(primary.region);
    },
  );

  await t.test("the lag sampler records the replica's lag while the primary lives", async () => {
    await lab.adminQuery("primary", "insert into lab_writes(note) values ('before the outage')");
    await runFunction(stack, "lag-sampler");
    const latest = await waitFor("a lag sample", async () => (await pairView(stack)).lag.latest ?? undefined);
    assert.equal(latest.primary, primary.name);
    assert.equal(latest.primaryAlive, true);
    assert.equal(typeof latest.bytes, "number");
    sampled = latest;
  });

  await lab.regionDown(primary.region);

  await t.test("planned is refused while the primary's region is down, and nothing changes", async () => {
    const before = { cname: cnameRecord(stack), roles: roles(stack) };
    const run = await failover(stack, { option: "Planned" });
    assert.deepEqual([run.out.outcome, run.out.code], ["refused", "PrimaryNotReady"]);
    assert.match(run.out.reason!, /Forced/);
    assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before);
  });

  await t.test(
    "forced promotes, moves prod, reports the sampled data at risk and that the old primary is not fenced",
    async () => {
      const run = await failover(stack, { option: "Forced", reason: "eastus is down" });
      assert.equal(run.out.outcome, "succeeded", run.out.reason);
      assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);
      assert.equal(cnameRecord(stack).ttl, 3600);
      assert.equal(await inRecovery(stack, "replica"), false);
      assert.equal(run.out.rpo?.primaryReachable, false);
      assert.equal(run.out.risk?.source, "sample", JSON.stringify(run.out.risk));
      assert.ok(sampled, "the sampler subtest took a sample");
      assert.deepEqual(
        [run.out.risk?.bytes, run.out.risk?.measuredAt],
        [sampled.bytes, sampled.at],
        "the data at risk is the last sample taken while the primary lived",
      );
      assert.equal(
        run.out.phases.find((p) => p.phase === "drain")?.outcome,
        "skipped",
        "forced does not wait for caches",
      );
      assert.equal(run.out.verification?.address, replica.address);
      assert.equal(run.out.fence?.state, "watching");
      const live = await stack.api.get<{ oldPrimary: { fenced: boolean; state: string } }>(`/api/failovers/${run.id}`);
      assert.deepEqual([live.body.oldPrimary.fenced, live.body.oldPrimary.state], [false, "pending"]);
      await pairViewOnce(stack, "the warning that the old primary is not fenced", (v) =>
        v.warnings.some((w) => /old primary .* is not fenced/.test(w)),
      );
    },
  );

  await t.test(
    "the region returns: the fence watch fences the old primary within seconds of its first answer",
    async () => {
      // Measured before (a one-minute sweep): the returning old primary took writes for 48 s after it first answered.
      const watch = (async () => {
        let firstWrite: number | undefined;
        for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
          try {
            await lab.adminQuery("primary", "insert into lab_writes(note) values ('split brain')");
            firstWrite ??= Date.now();
          } catch (e) {
            if (firstWrite !== undefined && /read-only transaction/.test(String(e))) return Date.now() - firstWrite;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("the old primary was not fenced within 60 s of its return");
      })();
      await lab.regionUp(primary.region);
      const writableMs = await watch;
      t.diagnostic(`the returning old primary accepted writes for ${writableMs} ms`);
      assert.ok(writableMs < 15_000, `accepted writes for ${writableMs} ms after it first answered`);
      await waitFor("the fence watch", async () =>
        (await pairView(stack)).oldPrimaryFence?.state === "fenced" ? true : undefined,
      );
      const after = await pairViewOnce(stack, "no split-brain warning once fenced", (v) =>
        v.warnings.every((w) => !/two writable|not fenced/.test(w)),
      );
      assert.deepEqual(
        after.servers.map((s) => [s.name, s.acceptsWrites, s.fenced]),
        [
          [primary.name, false, true],
          [replica.name, true, false],
        ],
      );
    },
  );
});
