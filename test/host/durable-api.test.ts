// The Durable HTTP API: status codes of the real extension, list/filter/paging, purge, suspend/resume.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EventType, type HistoryEvent } from "../../local/host/types";
import {
  http,
  Raw,
  removeDir,
  startFixtureHost,
  startOrchestration,
  until,
  waitForStatus,
  type TestHost,
} from "./helpers";

/** The events an instance has received but not played yet, as the host wrote them (its instance file). */
const inboxOf = (h: TestHost, id: string): HistoryEvent[] =>
  JSON.parse(readFileSync(join(h.dataDir, "HostFixtureHub", "instances", `${id}.json`), "utf8")).inbox;

describe("durable HTTP API", () => {
  let h: TestHost;
  let hook: string;
  let code: string;
  before(async () => {
    h = await startFixtureHost();
    hook = `${h.url}/runtime/webhooks/durabletask`;
    code = `code=${h.masterKey}`;
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  it("start via the API: 202 with management URLs pointing at this host; unknown orchestrator 400", async () => {
    const r = await http("POST", `${hook}/orchestrators/chain/api-start?${code}`, { name: "x" });
    assert.equal(r.status, 202);
    assert.equal(r.body.id, "api-start");
    assert.ok(r.body.statusQueryGetUri.startsWith(`${hook}/instances/api-start?`));
    assert.equal(r.headers.get("location"), r.body.statusQueryGetUri);
    assert.equal((await http("POST", `${hook}/orchestrators/nope?${code}`)).status, 400);
    const done = await waitForStatus(r.body.statusQueryGetUri);
    assert.equal(done.status, 200);
  });

  it("status: 202 while running, 200 when completed, 404 when unknown", async () => {
    const s = await startOrchestration(h, "waiter", undefined, "codes-1");
    const running = await waitForStatus(s.statusQueryGetUri, (b) => b.runtimeStatus === "Running");
    assert.equal(running.status, 202);
    assert.equal((await http("GET", `${hook}/instances/does-not-exist?${code}`)).status, 404);
    await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), 1);
    const done = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([done.status, done.body.runtimeStatus, done.body.output], [200, "Completed", 1]);
    // showInput=false hides the input; history is only present when asked for.
    const plain = await http("GET", `${hook}/instances/codes-1?${code}&showInput=false`);
    assert.equal(plain.body.input, null);
    assert.equal(plain.body.historyEvents, undefined);
  });

  it("409 when starting an id that is running; allowed again once finished (NonRunningStates)", async () => {
    const s = await startOrchestration(h, "waiter", undefined, "dup");
    assert.equal(
      (await http("POST", `${h.url}/api/orchestrators/waiter/dup?code=${h.functionKey}`)).status,
      500,
      "the app's starter sees the 409 as an error",
    );
    assert.equal((await http("POST", `${hook}/orchestrators/waiter/dup?${code}`)).status, 409);
    await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), "a");
    await waitForStatus(s.statusQueryGetUri);
    const again = await http("POST", `${hook}/orchestrators/waiter/dup?${code}`);
    assert.equal(again.status, 202);
    const st = await http("GET", `${hook}/instances/dup?${code}`);
    assert.equal(st.body.runtimeStatus === "Pending" || st.body.runtimeStatus === "Running", true);
  });

  it("terminate: 202 for a running instance, then Terminated (200); 410 when already finished; 404 unknown", async () => {
    const s = await startOrchestration(h, "waiter", undefined, "term");
    await waitForStatus(s.statusQueryGetUri, (b) => b.runtimeStatus === "Running");
    assert.equal((await http("POST", s.terminatePostUri.replace("{text}", "enough"))).status, 202);
    const t = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([t.status, t.body.runtimeStatus, t.body.output], [200, "Terminated", "enough"]);
    assert.equal((await http("POST", s.terminatePostUri.replace("{text}", "again"))).status, 410);
    assert.equal((await http("POST", `${hook}/instances/nobody/terminate?${code}`)).status, 404);
    assert.equal((await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), 1)).status, 410);
  });

  it("terminate drops pending work: an activity finishing after termination is not recorded", async () => {
    const s = await startOrchestration(h, "waitEvent", { sleepMs: 400 }, "term-busy");
    await waitForStatus(s.statusQueryGetUri, (b) =>
      (b.historyEvents ?? []).some((e: { EventType: string }) => e.EventType === "TaskScheduled"),
    );
    assert.equal((await http("POST", s.terminatePostUri.replace("{text}", "cut"))).status, 202);
    await waitForStatus(s.statusQueryGetUri);
    // The activity really finished after the termination (its log line), and its result was dropped.
    await until("the activity to finish", () => h.logs.some((l) => /\[slow:[^\]]+\] slow done after 400 ms$/.test(l)));
    const after = await http("GET", `${s.statusQueryGetUri}&showHistory=true`);
    assert.equal(after.body.runtimeStatus, "Terminated");
    const types = after.body.historyEvents.map((e: { EventType: string }) => e.EventType);
    assert.ok(!types.includes("TaskCompleted"), types.join(","));
    assert.equal(types.at(-1), "ExecutionCompleted");
  });

  it("suspend holds events until resume", async () => {
    const s = await startOrchestration(h, "waiter", undefined, "susp");
    await waitForStatus(s.statusQueryGetUri, (b) => b.runtimeStatus === "Running");
    assert.equal((await http("POST", s.suspendPostUri.replace("{text}", "pause"))).status, 202);
    const sus = await waitForStatus(s.statusQueryGetUri, (b) => b.runtimeStatus === "Suspended");
    assert.equal(sus.status, 202);
    assert.equal((await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), "held")).status, 202);
    // The event is recorded (in the instance's inbox on disk, the host's write-ahead) and held there, not played.
    const held = inboxOf(h, "susp").map((e) => [e.EventType, e.Name, e.Input]);
    assert.deepEqual(held, [[EventType.EventRaised, "go", JSON.stringify("held")]]);
    const still = await http("GET", `${s.statusQueryGetUri}&showHistory=true`);
    assert.equal(still.body.runtimeStatus, "Suspended");
    assert.ok(!still.body.historyEvents.some((e: { EventType: string }) => e.EventType === "EventRaised"));
    assert.equal((await http("POST", s.resumePostUri.replace("{text}", "go on"))).status, 202);
    const done = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual([done.body.runtimeStatus, done.body.output], ["Completed", "held"]);
    const types = (done.body.historyEvents as { EventType: string }[]).map((e) => e.EventType);
    assert.ok(types.indexOf("ExecutionSuspended") < types.indexOf("ExecutionResumed"));
    assert.ok(types.indexOf("ExecutionResumed") < types.indexOf("EventRaised"));
  });

  it("list with filters, top and continuation token; purge single and by filter", async () => {
    for (const id of ["ls-a", "ls-b", "ls-c"]) {
      const r = await http("POST", `${hook}/orchestrators/counter/${id}?${code}`, 3);
      await waitForStatus(r.body.statusQueryGetUri);
    }
    const w = await startOrchestration(h, "waiter", undefined, "ls-running");
    await waitForStatus(w.statusQueryGetUri, (b) => b.runtimeStatus === "Running");

    const all = await http("GET", `${hook}/instances?${code}&instanceIdPrefix=ls-`);
    assert.deepEqual(all.body.map((x: { instanceId: string }) => x.instanceId).sort(), [
      "ls-a",
      "ls-b",
      "ls-c",
      "ls-running",
    ]);
    const running = await http("GET", `${hook}/instances?${code}&instanceIdPrefix=ls-&runtimeStatus=Running,Pending`);
    assert.deepEqual(
      running.body.map((x: { instanceId: string }) => x.instanceId),
      ["ls-running"],
    );
    const future = await http(
      "GET",
      `${hook}/instances?${code}&instanceIdPrefix=ls-&createdTimeFrom=2999-01-01T00:00:00Z`,
    );
    assert.deepEqual(future.body, []);

    const page1 = await http("GET", `${hook}/instances?${code}&instanceIdPrefix=ls-&top=3`);
    assert.equal(page1.body.length, 3);
    const token = page1.headers.get("x-ms-continuation-token");
    assert.ok(token);
    const page2 = await http("GET", `${hook}/instances?${code}&instanceIdPrefix=ls-&top=3`, undefined, {
      "x-ms-continuation-token": token,
    });
    assert.equal(page2.body.length, 1);
    assert.equal(page2.headers.get("x-ms-continuation-token"), null);

    // Purge one: 200 with count, then 404; a running instance is not purgeable.
    const p1 = await http("DELETE", `${hook}/instances/ls-a?${code}`);
    assert.deepEqual([p1.status, p1.body], [200, { instancesDeleted: 1 }]);
    assert.equal((await http("DELETE", `${hook}/instances/ls-a?${code}`)).status, 404);
    assert.equal((await http("GET", `${hook}/instances/ls-a?${code}`)).status, 404);
    assert.equal((await http("DELETE", `${hook}/instances/ls-running?${code}`)).status, 404);
    // Purge by filter removes the finished ones only.
    const pf = await http("DELETE", `${hook}/instances?${code}&instanceIdPrefix=ls-&runtimeStatus=Completed,Running`);
    assert.deepEqual([pf.status, pf.body], [200, { instancesDeleted: 2 }]);
    const left = await http("GET", `${hook}/instances?${code}&instanceIdPrefix=ls-`);
    assert.deepEqual(
      left.body.map((x: { instanceId: string }) => x.instanceId),
      ["ls-running"],
    );
    assert.equal(
      (await http("DELETE", `${hook}/instances?${code}&instanceIdPrefix=ls-&runtimeStatus=Completed`)).status,
      404,
    );
  });

  it("raiseEvent to an unknown instance is 404; a malformed JSON body is 400", async () => {
    assert.equal((await http("POST", `${hook}/instances/ghost/raiseEvent/go?${code}`, 1)).status, 404);
    await startOrchestration(h, "waiter", undefined, "badjson");
    assert.equal((await http("POST", `${hook}/instances/badjson/raiseEvent/go?${code}`, new Raw("{nope"))).status, 400);
  });
});
