// The promotion watch's session (PostgresProbe.watcher) against real servers: one login for any number of looks
// while the server answers; a server that goes away fails the look and drops the session; once it is back the
// next look logs in again and sees it. Logins counted from the server's own log (log_connections).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startLab, type Lab } from "../../local/lab";
import { labDeps } from "./app-deps";
import { LAB_TEST } from "./timeouts";
import { waitFor } from "../wait-for";

let lab: Lab;
before(async () => {
  lab = await startLab({ azurite: false });
});
after(() => lab?.stop());

test(
  "a watcher keeps one session while the server answers, and logs in again after it came back",
  LAB_TEST,
  async () => {
    const deps = labDeps(lab);
    const pair = await deps.pair(deps.pairNames()[0]!);
    const replica = lab.info.servers.replica;
    const only = { user: lab.info.postgres.app.user, application: "pgflex-failover" };
    const logins = (marks: Record<string, number>) => lab.connectionsSince(marks, only)[replica.name];
    const marks = lab.logMarks();
    const watcher = deps.probe.watcher(replica.fqdn, deps.login(pair), "verify-full");
    try {
      for (let i = 0; i < 5; i++) assert.equal((await watcher.inspect()).inRecovery, true);
      assert.equal(logins(marks), 1, "five looks, one login");

      await lab.regionDown(replica.region);
      await assert.rejects(watcher.inspect(), "the look fails while the server is down");
      await lab.regionUp(replica.region);
      const back = await waitFor("the server back", () => watcher.inspect().catch(() => undefined), 30_000);
      assert.equal(back.inRecovery, true);
      assert.equal(logins(marks), 2, "logged in again once, after the server came back");
    } finally {
      await watcher.close();
    }
  },
);
