// HTTP triggers through the host: routes, methods, keys and auth levels, settings, bodies.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { http, removeDir, startFixtureHost, tempDir, until, type TestHost } from "./helpers";

describe("HTTP triggers and auth", () => {
  let h: TestHost;
  let settingsDir: string;
  before(async () => {
    settingsDir = tempDir("settings");
    const settings = join(settingsDir, "local.settings.json");
    writeFileSync(
      settings,
      JSON.stringify({
        IsEncrypted: false,
        Values: { FIXTURE_SETTING: "from-settings" },
        Host: { FunctionKey: "fk-test-123", MasterKey: "mk-test-456" },
      }),
    );
    h = await startFixtureHost({ settingsFile: settings });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
    removeDir(settingsDir);
  });

  it("uses the keys from the settings Host section and does not print them", () => {
    assert.equal(h.functionKey, "fk-test-123");
    assert.equal(h.masterKey, "mk-test-456");
    assert.ok(!h.logs.some((l) => l.includes("fk-test-123") || l.includes("mk-test-456")), "keys must not be logged");
  });

  it("serves anonymous routes without a key, with optional route parameters", async () => {
    assert.deepEqual(await http("GET", `${h.url}/api/hello/ann`).then((r) => [r.status, r.body]), [200, "Hello, ann!"]);
    assert.deepEqual(await http("GET", `${h.url}/api/hello`).then((r) => [r.status, r.body]), [200, "Hello, world!"]);
  });

  it("rejects a function-level route with no key or a wrong key (401)", async () => {
    assert.equal((await http("GET", `${h.url}/api/items/5`)).status, 401);
    assert.equal((await http("GET", `${h.url}/api/items/5?code=wrong`)).status, 401);
    assert.equal((await http("GET", `${h.url}/api/items/5`, undefined, { "x-functions-key": "wrong" })).status, 401);
  });

  it("accepts the function key via ?code= and via x-functions-key, and the master key", async () => {
    const a = await http("GET", `${h.url}/api/items/5?code=fk-test-123&q=z`);
    assert.deepEqual([a.status, a.body], [200, { id: 5, q: "z" }]);
    const b = await http("GET", `${h.url}/api/items/6`, undefined, { "x-functions-key": "fk-test-123" });
    assert.deepEqual([b.status, b.body], [200, { id: 6, q: null }]);
    assert.equal((await http("GET", `${h.url}/api/items/7?code=mk-test-456`)).status, 200);
  });

  it("enforces route constraints ({id:int}) and methods", async () => {
    assert.equal((await http("GET", `${h.url}/api/items/abc?code=fk-test-123`)).status, 404);
    const r = await http("POST", `${h.url}/api/items/5?code=fk-test-123`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.get("allow"), "GET");
  });

  it("admin level needs the master key", async () => {
    assert.equal((await http("GET", `${h.url}/api/admin-thing?code=fk-test-123`)).status, 401);
    assert.equal((await http("GET", `${h.url}/api/admin-thing`)).status, 401);
    const ok = await http("GET", `${h.url}/api/admin-thing?code=mk-test-456`);
    assert.deepEqual([ok.status, ok.body], [200, "admin ok"]);
  });

  it("passes the body, returns status and headers, and applies settings Values to the environment", async () => {
    const r = await http("POST", `${h.url}/api/echo`, { x: 1 }, { "content-type": "application/json" });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get("x-echo"), "1");
    assert.deepEqual(r.body, { got: { x: 1 }, env: "from-settings" });
  });

  it("logs app output with function name and invocation id", async () => {
    await http("GET", `${h.url}/api/hello/logcheck`);
    await until("the function's log line, with its name and invocation id", () =>
      h.logs.some((l) => /^\[hello:[0-9a-f-]{36}\] hello called for logcheck$/.test(l)),
    );
  });

  it("protects the durable API: no key or the function key → 401, master key → allowed", async () => {
    assert.equal((await http("GET", `${h.url}/runtime/webhooks/durabletask/instances/nope`)).status, 401);
    assert.equal(
      (await http("GET", `${h.url}/runtime/webhooks/durabletask/instances/nope?code=fk-test-123`)).status,
      401,
    );
    assert.equal(
      (await http("GET", `${h.url}/runtime/webhooks/durabletask/instances/nope?code=mk-test-456`)).status,
      404,
    );
    assert.equal((await http("GET", `${h.url}/_durabletask-rpc/not-the-key/instances/nope`)).status, 401);
  });

  it("returns 404 for unknown routes", async () => {
    assert.equal((await http("GET", `${h.url}/api/nothing-here`)).status, 404);
    assert.equal((await http("GET", `${h.url}/elsewhere`)).status, 404);
  });
});

describe("generated keys", () => {
  it("generates keys when none are configured and prints them once at start-up", async () => {
    const h = await startFixtureHost({ env: { FUNCTIONS_FUNCTION_KEY: "", FUNCTIONS_MASTER_KEY: "" } });
    try {
      assert.ok(h.functionKey.length >= 32 && h.masterKey.length >= 32);
      assert.notEqual(h.functionKey, h.masterKey);
      assert.equal((await http("GET", `${h.url}/api/items/1?code=${h.functionKey}`)).status, 200);
      // --json mode: keys travel in the ready line only, never in the log lines.
      assert.ok(!h.logs.some((l) => l.includes(h.functionKey) || l.includes(h.masterKey)));
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });
});
