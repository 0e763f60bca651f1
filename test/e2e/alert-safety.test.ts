// An alert never fails over a primary that is alive. Reproduced before the fix: with alerts.policy "auto", the
// probe's login refused on the primary by a pg_hba.conf line (FATAL 28000) made the confirmation call it "down"; the run promoted the replica and left two writable primaries.
// Any reply from PostgreSQL proves the server alive: the run is a false alarm and changes nothing.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { alertPayload } from "../../local/lab/alert-payloads";
import { cnameRecord, follow, inRecovery, pairView, roles, runFunction, start, waitFor } from "./helpers";

// Each test starts its own stack and mostly waits on it: run side by side.
describe("alert safety", { concurrency: true }, () => {
  test("auto: a primary that refuses the probe's login is alive — false alarm, nothing promoted, still writable", async (t) => {
    const stack = await start({ pair: { alerts: { policy: "auto", confirmTries: 2, confirmSeconds: 1 } } });
    t.after(() => stack.stop());
    const { lab } = stack;
    const probeUser = lab.info.postgres.app.user;
    // As in production, the lag sampler has seen the pair (the RPO guard then knows the data at risk).
    await runFunction(stack, "lag-sampler");
    await waitFor("a lag sample", async () => (await pairView(stack)).lag.latest ?? undefined);
    // A pg_hba.conf line on the primary alone (the file is per server) rejecting the probe's role.
    const [hba] = await lab.adminQuery<{ file: string }>("primary", "select current_setting('hba_file') as file");
    writeFileSync(hba!.file, `hostssl all ${probeUser} 127.0.0.0/8 reject\n` + readFileSync(hba!.file, "utf8"));
    await lab.adminQuery("primary", "select pg_reload_conf()");
    const before = { cname: cnameRecord(stack), roles: roles(stack) };
    const r = await stack.api
      .as({ functionKey: stack.host.functionKey })
      .post<{ results: { action: string; id?: string }[] }>(
        "/api/alerts",
        alertPayload(lab.info.servers.primary.resourceId),
      );
    assert.deepEqual([r.status, r.body.results[0]?.action], [202, "started"]);
    const run = await follow(stack, r.body.results[0]!.id!);
    assert.deepEqual([run.out.outcome, run.out.code, run.out.failedStep], ["falseAlarm", "PrimaryAnswers", "confirm"]);
    assert.match(run.out.reason!, /answered, refusing: .*28000/);
    assert.deepEqual(
      run.out.confirmation?.evidence.slice(-2),
      [
        "ARM: state Ready",
        "Resource Health: Available: There aren't any known Azure platform problems affecting this server.",
      ],
      "the approver and the audit see Azure's view beside the probe's",
    );
    assert.deepEqual({ cname: cnameRecord(stack), roles: roles(stack) }, before, "nothing changed");
    assert.equal(await inRecovery(stack, "replica"), true, "the replica was not promoted");
    await lab.adminQuery("primary", "insert into lab_writes(note) values ('still the one primary')");
    assert.equal(lab.requests().filter((q) => q.method !== "GET").length, 0, "no ARM write happened");
  });

  test("a person's request takes over an alert run that is still waiting for approval: it ends aborted, theirs starts", async (t) => {
    const stack = await start({ pair: { alerts: { policy: "propose", confirmTries: 2, confirmSeconds: 1 } } });
    t.after(() => stack.stop());
    const { lab } = stack;
    await runFunction(stack, "lag-sampler");
    await waitFor("a lag sample", async () => (await pairView(stack)).lag.latest ?? undefined);
    await lab.regionDown(lab.info.servers.primary.region);
    const alerted = await stack.api
      .as({ functionKey: stack.host.functionKey })
      .post<{ results: { action: string; id?: string }[] }>(
        "/api/alerts",
        alertPayload(lab.info.servers.primary.resourceId),
      );
    const alertRun = alerted.body.results[0]!.id!;
    await waitFor("the alert run to wait for approval", async () => {
      const r = await stack.api.get<{ awaitingApproval: unknown }>(`/api/failovers/${alertRun}`);
      return r.body.awaitingApproval ? true : undefined;
    });
    const mine = await stack.api.post<{ id: string }>("/api/failovers", {
      pair: stack.pair,
      option: "Forced",
      reason: "taking this one myself INC-77",
    });
    assert.equal(mine.status, 202, JSON.stringify(mine.body));
    assert.notEqual(mine.body.id, alertRun);
    const ended = await follow(stack, alertRun);
    assert.deepEqual([ended.out.outcome, ended.out.code], ["aborted", "Aborted"]);
    assert.match(ended.out.reason!, /taken over by a request of Alice: taking this one myself INC-77/);
    assert.equal(await inRecovery(stack, "replica"), true, "the alert run changed nothing");
  });
});
