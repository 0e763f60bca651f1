// Zero data loss under live traffic: an application writes through prod.<zone> with a connection pool
// (and, in the second test, one connection per write with a TTL-honouring DNS cache) while a planned
// failover runs. Every acknowledged write is on the new primary, none diverged, the old primary refuses
// writes afterwards, and the window without writes is reported.
import assert from "node:assert/strict";
import { test } from "node:test";
import { promotedAt, startTraffic, type TrafficOptions } from "../../local/lab/traffic";
import { failover, start, waitFor } from "./helpers";

for (const [name, options, replicationRole] of [
  ["a pool of 5 connections", { mode: "pool", rate: 200, connections: 5 }, false],
  // 40 new connections a second (each a TLS handshake and a SCRAM login on both sides): at 100 the test spent more
  // CPU on handshakes — through the seconds the client's cached answer still names the old, fenced primary — than
  // any other e2e test, for the same proof.
  ["a connection per write, DNS cached for its TTL", { mode: "per-transaction", rate: 40, connections: 5 }, false],
  // On Azure, admins grant REPLICATION for logical replication and apps often log in as the admin: the fence
  // must end those sessions too (it once spared every session of a REPLICATION role).
  ["a pool of 5 connections of a role WITH REPLICATION", { mode: "pool", rate: 200, connections: 5 }, true],
] as [string, TrafficOptions, boolean][]) {
  test(`planned failover with ${name} writing through the CNAME: no acknowledged write lost`, async (t) => {
    const stack = await start({ pair: { ttl: { failoverSeconds: 1 }, timings: { drainCapSeconds: 2 } } });
    t.after(() => stack.stop());
    if (replicationRole)
      await stack.lab.adminQuery("primary", `alter role "${stack.lab.info.postgres.writer.user}" with replication`);
    const traffic = startTraffic(stack.lab.info, options);
    t.after(() => traffic.stop());
    await waitFor("writes flowing", () => (traffic.stats().acknowledged >= 40 ? true : undefined));

    const run = await failover(stack, { option: "Planned", reason: "zero-loss drill under traffic" });
    assert.equal(run.out.outcome, "succeeded", run.out.reason);
    // Keep writing a moment on the new primary, then stop and compare.
    const after = traffic.stats().acknowledged;
    await waitFor("writes on the new primary", () => (traffic.stats().acknowledged >= after + 40 ? true : undefined));
    await traffic.stop();
    const report = await traffic.report({ newPrimary: "replica", promotedAt: promotedAt(stack.lab.operations()) });

    assert.equal(report.lost, 0, `lost writes: ${JSON.stringify(report.lostSample)}`);
    assert.equal(report.diverged, 0);
    assert.equal(report.oldPrimary.acceptsWrites, false, report.oldPrimary.detail);
    assert.ok(report.byServer[stack.lab.info.servers.primary.address]! > 0, "writes went to the old primary before");
    assert.ok(report.byServer[stack.lab.info.servers.replica.address]! > 0, "and to the new primary after");
    assert.equal(typeof report.unavailability.longestGapMs, "number");
    assert.equal(run.out.fence?.state, "fenced");
    assert.equal(run.out.risk?.bytes, 0);
    t.diagnostic(
      `acknowledged ${report.acknowledged}, failed ${report.failed}, longest gap ${report.unavailability.longestGapMs} ms, RTO ${run.out.rto.total} s`,
    );
  });
}
