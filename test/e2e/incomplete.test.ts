// Failovers that were not finished: a promote that outlives the run's deadline, and a replica promoted by
// hand as the article describes. Neither is hidden: the run says the promote may still complete, the pair
// view shows two writable servers, a plain request is refused with the reason, and "complete": true
// finishes the job (fence the old primary, repoint, verify).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { staticTokenCredential } from "../../src/azure/credential";
import { cnameRecord, failover, inRecovery, pairViewOnce, resolveCname, roles, start, waitFor } from "./helpers";

// Each test starts its own stack and mostly waits on it: run side by side.
describe("failovers left unfinished", { concurrency: true }, () => {
  test("a promote past the run's deadline is reported truthfully, and a follow-up request completes the failover", async (t) => {
    const stack = await start({
      lab: { promoteDelayMs: 14_000 },
      pair: { timings: { promoteDeadlineSeconds: 10, promotePollSeconds: 1 } },
    });
    t.after(() => stack.stop());
    const { lab } = stack;
    const { primary, replica } = lab.info.servers;

    const run = await failover(stack, { option: "Planned" });
    assert.deepEqual([run.out.outcome, run.out.code], ["failed", "PromoteDeadlineExceeded"]);
    assert.equal(run.out.promoteAccepted, true);
    assert.match(run.out.cname.note, new RegExp(`promote of ${replica.name} may still complete`));
    assert.equal(
      run.out.fence?.state,
      "fenced",
      "the old primary stays fenced: lifting it could make two writable primaries",
    );
    assert.equal(cnameRecord(stack).target, primary.aRecordFqdn);
    assert.equal(cnameRecord(stack).ttl, 3600);

    // The promote completes after the run gave up.
    await waitFor(
      "the late promote",
      () => (roles(stack).replica.role === "Primary" && roles(stack).replica.state === "Ready" ? true : undefined),
      30_000,
    );
    assert.equal(await inRecovery(stack, "replica"), false);
    const plain = await failover(stack, { option: "Planned" });
    assert.deepEqual([plain.out.outcome, plain.out.code], ["refused", "IncompleteFailover"]);
    assert.match(plain.out.reason!, /"complete": true/);

    const done = await failover(stack, { complete: true, reason: "finish the failover that outlived its deadline" });
    assert.equal(done.out.outcome, "succeeded", done.out.reason);
    assert.deepEqual(
      done.out.phases.map((p) => p.phase).filter((p) => p === "promote" || p === "catchUp"),
      [],
      "no second promote",
    );
    assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);
    assert.equal(done.out.verification?.address, replica.address);
  });

  test("a replica promoted by hand (the article's procedure): two writable primaries are shown and refused, then completed", async (t) => {
    const stack = await start();
    t.after(() => stack.stop());
    const { lab } = stack;
    const { info } = lab;
    const { primary, replica } = info.servers;

    // Promote by hand, as a person following the article would, and leave the CNAME alone.
    const person = staticTokenCredential(info.arm.adminToken); // the lab's admin token: not held to the app's role
    const arm = new PostgreSQLManagementFlexibleServerClient(person, info.subscriptionId, {
      endpoint: info.arm.endpoint,
      credentialScopes: [`${info.arm.endpoint}/.default`],
      tlsOptions: { ca: info.caPem },
    });
    await arm.servers.beginUpdateAndWait(
      info.resourceGroup,
      replica.name,
      { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
      { updateIntervalInMs: 100 },
    );
    await waitFor("the hand promote", async () => ((await inRecovery(stack, "replica")) ? undefined : true));

    await pairViewOnce(stack, "the warning of two writable servers", (v) =>
      v.warnings.some(
        (w) =>
          w.includes(`two writable servers`) &&
          w.includes(`the CNAME serves ${primary.name}`) &&
          w.includes(`${replica.name} is not fenced`),
      ),
    );
    const dry = await failover(stack, { option: "Planned", dryRun: true });
    assert.deepEqual([dry.out.outcome, dry.out.code], ["refused", "TwoWritablePrimaries"]);
    const refused = await failover(stack, { option: "Planned" });
    assert.deepEqual([refused.out.outcome, refused.out.code], ["refused", "TwoWritablePrimaries"]);

    const done = await failover(stack, { complete: true, reason: "finish the hand promote" });
    assert.equal(done.out.outcome, "succeeded", done.out.reason);
    assert.equal(done.out.fence?.state, "fenced");
    assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);
    await assert.rejects(
      lab.adminQuery("primary", "insert into lab_writes(note) values ('late write')"),
      /read-only transaction/,
    );
    await pairViewOnce(stack, "no two-writable warning once completed", (v) =>
      v.warnings.every((w) => !/two writable/.test(w)),
    );
  });
});
