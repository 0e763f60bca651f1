// Failures never leave DNS at the wrong server: a promote that fails leaves prod on the old primary with
// its TTL restored; a verification that fails (a certificate from another CA) leaves prod at the new
// primary, which was proven writable through its own name, and reports the failure.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  cnameRecord,
  currentStep,
  follow,
  inRecovery,
  requestFailover,
  resolveCname,
  start,
  waitFor,
  type Stack,
} from "./helpers";

// One stack for both: the refused promote leaves the pair as it found it (its fault is used up, fence lifted, CNAME
// and TTL back, the replica still a streaming replica), so the second test starts from a pair as fresh as a new lab's.
let stack: Stack;
before(async () => {
  stack = await start();
});
after(() => stack?.stop());

test("a promote whose operation ends Failed (replica still in recovery): refused, fence lifted, CNAME stays, TTL restored", async () => {
  stack.lab.faults.add({ kind: "promoteFail", code: "InternalServerError", message: "promote failed in the lab" });
  const run = await follow(stack, (await requestFailover(stack, {})).id);
  assert.deepEqual([run.out.outcome, run.out.code, run.out.failedStep], ["refused", "PromoteFailed", "promote"]);
  assert.match(run.out.reason!, /promote failed in the lab/);
  assert.equal(run.out.fence?.state, "lifted", "nothing was promoted: the old primary takes writes again");
  await stack.lab.adminQuery("primary", "insert into lab_writes(note) values ('writable again')");
  assert.deepEqual(
    { target: cnameRecord(stack).target, ttl: cnameRecord(stack).ttl },
    { target: stack.lab.info.servers.primary.aRecordFqdn, ttl: 3600 },
  );
  assert.equal((await resolveCname(stack)).target, stack.lab.info.servers.primary.aRecordFqdn);
  assert.match(run.out.cname.note, /old primary/);
  assert.equal(await inRecovery(stack, "replica"), true);
});

test("a certificate from another CA fails verify-ca: prod stays on the writable new primary, TTL restored", async () => {
  const { lab } = stack;
  const { id } = await requestFailover(stack, {});
  // Once the promoted server has been checked through its own name, the repoint is held while its
  // certificate is swapped for one from a rogue CA, so that only the proof through the CNAME sees it.
  const step = () => currentStep(stack, id);
  await waitFor("the TTL lowered", async () =>
    ["drain", "fence", "catchUp", "promote"].includes((await step()) ?? "") ? true : undefined,
  );
  const hold = lab.faults.add({ kind: "stall", method: "PUT", path: "/CNAME/", times: 1 }); // held until cleared
  await waitFor("the repoint held", () => (lab.faults.list().some((f) => f.id === hold.id) ? undefined : true));
  await lab.useRogueCert("replica", true);
  lab.faults.clear(hold.id);
  const run = await follow(stack, id);
  // A certificate does not change by retrying: a permanent refusal, not a failure after retries.
  assert.equal(run.out.outcome, "refused");
  assert.equal(run.out.failedStep, "verify");
  assert.equal(run.out.code, "TlsUntrusted");
  assert.deepEqual(
    { target: cnameRecord(stack).target, ttl: cnameRecord(stack).ttl },
    { target: lab.info.servers.replica.aRecordFqdn, ttl: 3600 },
  );
  assert.match(run.out.cname.note, /proven writable through its own name/);
});
