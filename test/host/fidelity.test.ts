// Behaviour matched to the Durable extension through the HTTP surface: case-insensitive function
// names, and a tight ContinueAsNew loop that must not starve the host.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FunctionNameMap } from "../../local/host/function-names";
import { http, removeDir, startFixtureHost, startOrchestration, until, waitForStatus, type TestHost } from "./helpers";

describe("function names are case-insensitive (FunctionName: OrdinalIgnoreCase)", () => {
  let h: TestHost;
  before(async () => {
    h = await startFixtureHost();
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  it("starts an orchestrator by another spelling through the HTTP API and through the app's client", async () => {
    const hook = `${h.url}/runtime/webhooks/durabletask`;
    const viaApi = await http("POST", `${hook}/orchestrators/CHAIN/case-api?code=${h.masterKey}`, { name: "a" });
    assert.equal(viaApi.status, 202);
    const done = await waitForStatus(viaApi.body.statusQueryGetUri);
    assert.deepEqual([done.body.runtimeStatus, done.body.name], ["Completed", "CHAIN"], "the given name is kept");
    const viaClient = await startOrchestration(h, "Chain", { name: "b" });
    assert.equal((await waitForStatus(viaClient.statusQueryGetUri)).body.runtimeStatus, "Completed");
    assert.equal((await http("POST", `${hook}/orchestrators/nope?code=${h.masterKey}`)).status, 400);
  });

  it("a registry refuses two names that differ only in case, and finds names in any case", () => {
    const m = new FunctionNameMap<number>();
    m.set("Echo", 1);
    assert.deepEqual([m.get("ECHO"), m.has("echo"), m.names()], [1, true, ["Echo"]]);
    assert.throws(() => m.set("echo", 2), /Functions 'Echo' and 'echo' differ only in case/);
  });

  it("calls activities and sub-orchestrators by another spelling", async () => {
    const s = await startOrchestration(h, "mixedCase");
    const r = await waitForStatus(s.statusQueryGetUri);
    assert.deepEqual(
      [r.body.runtimeStatus, r.body.output],
      ["Completed", { a: "upper", b: 30 }],
      JSON.stringify(r.body),
    );
  });
});

describe("a tight ContinueAsNew loop", () => {
  it("leaves the HTTP API and other functions responsive, and can be terminated", async () => {
    const h = await startFixtureHost();
    try {
      const hook = `${h.url}/runtime/webhooks/durabletask`;
      const started = await http("POST", `${hook}/orchestrators/spin/spinner?code=${h.masterKey}`, 0);
      assert.equal(started.status, 202);
      // Each request must be answered promptly while the generations keep coming.
      const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(3000) });
      const generation = await until("several generations, observed through the status API", async () => {
        const b = (await (await get(`${hook}/instances/spinner?code=${h.masterKey}`)).json()) as {
          customStatus?: { generation: number };
        };
        const g = b.customStatus?.generation ?? 0;
        return g >= 20 ? g : undefined;
      });
      assert.equal(await (await get(`${h.url}/api/hello/spin`)).text(), "Hello, spin!");
      // The generations go on past the one seen while HTTP was being served: the loop is not stalled.
      await until("a later generation", async () => {
        const b = (await (await get(`${hook}/instances/spinner?code=${h.masterKey}`)).json()) as {
          customStatus?: { generation: number };
        };
        return (b.customStatus?.generation ?? 0) > generation ? true : undefined;
      });
      const t = await fetch(`${hook}/instances/spinner/terminate?reason=enough&code=${h.masterKey}`, {
        method: "POST",
        signal: AbortSignal.timeout(3000),
      });
      assert.equal(t.status, 202);
      const final = await waitForStatus(`${hook}/instances/spinner?code=${h.masterKey}`);
      assert.deepEqual([final.body.runtimeStatus, final.body.output], ["Terminated", "enough"]);
    } finally {
      // Without the fix the event loop never turns, so SIGTERM would not be handled either.
      await h.kill("SIGKILL");
      removeDir(h.dataDir);
    }
  });
});
