// Region down: a planned failover is refused (it would wait for a primary that is gone), a forced one
// promotes the replica and moves prod, reporting that the lag could not be measured on the dead primary.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cnameRecord, failover, inRecovery, resolveCname, roles, start, type Stack } from "./helpers";

let stack: Stack;
before(async () => {
  stack = await start();
  await stack.lab.regionDown(stack.lab.info.servers.primary.region);
});
after(async () => {
  await stack?.stop();
});

test("planned is refused while the primary's region is down, and nothing changes", async () => {
  const before = { cname: cnameRecord(stack), roles: roles(stack) };
  const run = await failover(stack, { option: "Planned" });
  assert.equal(run.out.outcome, "refused");
  assert.equal(run.out.code, "PrimaryNotReady");
  assert.match(run.out.reason!, /Forced/);
  assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before);
});

test("forced fails over to the replica with prod verified through the CNAME", async () => {
  const run = await failover(stack, { option: "Forced", reason: "eastus is down" });
  assert.equal(run.out.outcome, "succeeded", run.out.reason);
  const replica = stack.lab.info.servers.replica;
  assert.equal((await resolveCname(stack)).target, replica.aRecordFqdn);
  assert.equal(cnameRecord(stack).ttl, 3600);
  assert.equal(await inRecovery(stack, "replica"), false);
  assert.equal(run.out.rpo?.primaryReachable, false);
  assert.equal(run.out.rpo?.bytes, null);
  assert.equal(run.out.phases.find((p) => p.phase === "drain")?.outcome, "skipped", "forced does not wait for caches");
  assert.equal(run.out.verification?.address, replica.address);
});
