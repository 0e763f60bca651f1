// Issue 22's connection budget, on the lab: a planned failover by the straight-line script (the app's activities
// and adapters as buildServices wires them) logs in to its two servers at most 4 times, counted from the servers'
// own logs (log_connections) the way the bench counts them; and the safety the kept sessions must not cost.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLab, type Lab } from "../../local/lab";
import { logFilesOf, watchConnections, type Span } from "../../local/bench/pg-connections";
import { straightLine, STRAIGHT_STEPS } from "../../local/bench/straight-line";
import { fenceServer } from "../../src/activities/fencing";
import { secureContextsBuilt } from "../../src/probe/tls-context";
import { labDeps } from "../lab/app-deps";
import { LAB_TEST } from "../lab/timeouts";

let lab: Lab;
before(async () => {
  lab = await startLab({ azurite: false, pairs: 2 });
}, LAB_TEST);
after(async () => lab?.stop(), LAB_TEST);

test(
  "a planned failover logs in to its servers at most 4 times, once per server per step group",
  LAB_TEST,
  async () => {
    const contextsBefore = secureContextsBuilt();
    const deps = labDeps(lab);
    const watch = watchConnections(logFilesOf(lab, 0));
    const r = await straightLine(deps, lab.info.pairs[0]!.name);
    let at = Date.parse(r.startedAt);
    const spans: Span[] = STRAIGHT_STEPS.map((step) => {
      const span = { step, start: at, end: at + r.steps[step] * 1000 };
      at = span.end;
      return span;
    });
    const c = watch.count(spans);
    assert.ok(c.total >= 3, `the count sees the run's logins (${JSON.stringify(c)})`);
    assert.ok(
      c.total <= 4,
      `at most 4 logins per planned failover, got ${c.total}: ${JSON.stringify(c.byServerAndGroup)}`,
    );
    for (const [server, groups] of Object.entries(c.byServerAndGroup))
      for (const [group, n] of Object.entries(groups))
        assert.ok(n <= 1, `${server}: ${n} logins in ${group} (one per server per step group)`);
    assert.equal(c.byGroup.verify, 1, "the proof through the CNAME is a fresh login of its own");
    assert.ok(secureContextsBuilt() - contextsBefore <= 1, "one TLS secure context for the lab's CA bundle");
    await deps.probe.sessions.closeIdle();
  },
);

test(
  "the fence ends the app's own idle kept sessions too, and the checks after it log in again instead of failing",
  LAB_TEST,
  async () => {
    const deps = labDeps(lab);
    const pair = await deps.pair(lab.info.pairs[1]!.name);
    const p = lab.info.pairs[1]!.servers.primary;
    const login = deps.login(pair);
    // Two kept sessions to the old primary: the fence takes one; the other sits idle and is one it ends.
    await Promise.all([deps.probe.fenceState(p.fqdn, login), deps.probe.fenceState(p.fqdn, login)]);
    assert.equal(deps.probe.sessions.size, 2);
    const ref = {
      ...pair.servers.find((s) => s.resourceId === p.resourceId)!,
      name: p.name,
      aRecordFqdn: p.aRecordFqdn,
      fqdn: p.fqdn,
    };
    const fenced = await fenceServer(deps, pair, ref);
    assert.ok(fenced.ended >= 1, "the idle kept session was ended with the others");
    assert.equal((await deps.probe.fenceState(p.fqdn, login)).readOnlyDefault, "on");

    // The server ends every session of the app (as a restart of the promoted server does in Azure): the next check
    // answers on a new session.
    const before = deps.probe.sessions.counts.opened;
    await lab.adminQuery(
      p.name,
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pgflex-failover'",
    );
    const w = await deps.probe.walPosition(p.fqdn, login, "verify-full");
    assert.equal(w.inRecovery, false);
    assert.equal(deps.probe.sessions.counts.opened, before + 1, "a new login replaced the ended session");
    await deps.probe.sessions.closeIdle();
  },
);
