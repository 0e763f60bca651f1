// The host's surface: no key in any log line, authorization before the body is read, bodies capped.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { redact, REDACTED, redactingLogger } from "../../local/host/redact";
import { http, Raw, removeDir, startFixtureHost, startOrchestration, tempDir, until, type TestHost } from "./helpers";

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Bytes of the request body written before the response arrived. */
  sentBeforeResponse: number;
  /** Whether the server sent "100 Continue". */
  continued: boolean;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
}

/**
 * Sends headers announcing `declared` body bytes (or chunked when null), writes `first` bytes, and
 * resolves with the response without ever writing the rest: a server that waits for the whole
 * body never answers, and the request times out.
 */
function partialUpload(
  url: string,
  o: { declared: number | null; first: number; headers?: Record<string, string>; timeoutMs?: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...o.headers };
    if (o.declared !== null) headers["content-length"] = String(o.declared);
    let sent = 0;
    let continued = false;
    const req = request(url, { method: "POST", headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response within ${o.timeoutMs ?? 5000} ms (after ${sent} body bytes)`));
    }, o.timeoutMs ?? 5000);
    req.on("continue", () => {
      continued = true;
      req.write(Buffer.alloc(o.first, 0x20));
      sent += o.first;
    });
    req.on("response", (res) => {
      clearTimeout(timer);
      const closed = new Promise<void>((r) => res.socket.once("close", () => r()));
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          sentBeforeResponse: sent,
          continued,
          closed,
        }),
      );
    });
    // The server may close while we still "upload"; that is the point.
    req.on("error", () => undefined);
    if (o.headers?.expect === undefined) {
      req.write(Buffer.alloc(o.first, 0x20));
      sent += o.first;
    } else {
      req.flushHeaders();
    }
  });
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))]);

describe("no key in any log line", () => {
  let h: TestHost;
  let settingsDir: string;
  before(async () => {
    settingsDir = tempDir("redact");
    const settings = join(settingsDir, "local.settings.json");
    writeFileSync(
      settings,
      JSON.stringify({ Values: {}, Host: { FunctionKey: "fk-secret-7f3a9", MasterKey: "mk-secret-c21e8" } }),
    );
    h = await startFixtureHost({ settingsFile: settings });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
    removeDir(settingsDir);
  });

  it("after requests with code=, app logs of URLs, failures carrying URLs and durable RPC calls", async () => {
    const systemKey = (JSON.parse(readFileSync(join(h.dataDir, "system-key.json"), "utf8")) as { systemKey: string })
      .systemKey;
    assert.equal((await http("GET", `${h.url}/api/log-url?code=fk-secret-7f3a9`)).status, 200);
    assert.equal((await http("GET", `${h.url}/api/log-url?code=mk-secret-c21e8&fail=1`)).status, 500);
    assert.equal((await http("GET", `${h.url}/api/log-url?code=a-wrong-key-123`)).status, 401);
    // The app's durable client calls the RPC base (/_durabletask-rpc/<systemKey>/...).
    const s = await startOrchestration(h, "chain", { name: "r" });
    assert.equal((await http("GET", s.statusQueryGetUri)).status < 300, true);
    const rpc = `${h.url}/_durabletask-rpc/${encodeURIComponent(systemKey)}`;
    assert.equal((await http("GET", `${rpc}/instances/%E0%A4%A`)).status, 404, "a malformed escape is not a crash");
    assert.equal((await http("POST", `${rpc}/instances/${s.id}/raiseEvent/x`, new Raw("{bad"))).status, 400);

    const lines = await until("the app and host lines to be written", () => {
      const l = h.logs;
      const ready =
        l.filter((x) => x.includes("called as")).length >= 2 &&
        l.some((x) => x.includes("function 'logUrl' failed")) &&
        l.some((x) => x.includes("links "));
      return ready ? [...l] : undefined;
    });
    for (const secret of ["fk-secret-7f3a9", "mk-secret-c21e8", systemKey, encodeURIComponent(systemKey)]) {
      const leaks = lines.filter((l) => l.includes(secret));
      assert.deepEqual(leaks, [], `a key appears in the log`);
    }
    assert.ok(
      lines.some((l) => l.includes(`called as ${h.url}/api/log-url?code=${REDACTED}`)),
      "the line is kept, with the key redacted",
    );
    assert.ok(lines.some((l) => l.includes("function 'logUrl' failed: failed for") && l.includes(REDACTED)));
  });

  it("redact(): key values (raw and URL-encoded), code= values, the RPC path segment, x-functions-key", () => {
    const key = "ab+c/d=secretkey";
    assert.equal(redact(`k=${key} e=${encodeURIComponent(key)}`, [key]), `k=${REDACTED} e=${REDACTED}`);
    assert.equal(redact("GET /api/x?a=1&code=zzz&b=2"), `GET /api/x?a=1&code=${REDACTED}&b=2`);
    assert.equal(
      redact("http://h/_durabletask-rpc/s3cr3t/instances/1"),
      `http://h/_durabletask-rpc/${REDACTED}/instances/1`,
    );
    assert.equal(redact('{"x-functions-key":"k123456"}'), `{"x-functions-key":"${REDACTED}"}`);
    const out: string[] = [];
    const logger = redactingLogger(
      { host: (m) => out.push(m), hostError: (m) => out.push(m), app: (_f, _i, _l, m) => out.push(m) },
      () => ["topsecret-1"],
    );
    logger.hostError("request GET /_durabletask-rpc/topsecret-1/instances/x failed");
    logger.app("f", "id", "information", "using topsecret-1");
    assert.deepEqual(out, [`request GET /_durabletask-rpc/${REDACTED}/instances/x failed`, `using ${REDACTED}`]);
  });
});

describe("request bodies", () => {
  let h: TestHost;
  const LIMIT = 4096;
  before(async () => {
    h = await startFixtureHost({ env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(LIMIT) } });
  });
  after(async () => {
    await h.stop();
    removeDir(h.dataDir);
  });

  it("a big body without a key gets 401 before it is read, and the connection is closed", async () => {
    for (const path of [
      "/api/orchestrators/chain",
      "/runtime/webhooks/durabletask/orchestrators/chain",
      "/_durabletask-rpc/not-the-key/orchestrators/chain",
    ]) {
      const r = await partialUpload(`${h.url}${path}`, { declared: 50 * 1024 * 1024, first: 1024 });
      assert.equal(r.status, 401, path);
      assert.equal(r.headers.connection, "close");
      assert.equal(r.sentBeforeResponse, 1024);
      await withTimeout(r.closed, 5000, "the server to close the connection");
    }
    // Expect: 100-continue: no "100 Continue" for a request that is refused anyway.
    const c = await partialUpload(`${h.url}/api/orchestrators/chain`, {
      declared: 50 * 1024 * 1024,
      first: 0,
      headers: { expect: "100-continue" },
    });
    assert.deepEqual([c.status, c.continued], [401, false]);
  });

  it("an authorized body above the limit gets 413: from Content-Length before reading, or while reading chunks", async () => {
    const declared = await partialUpload(`${h.url}/api/echo`, { declared: LIMIT + 1, first: 10 });
    assert.equal(declared.status, 413);
    assert.equal(declared.headers.connection, "close");
    assert.match(JSON.parse(declared.body).message, /exceeds the limit of 4096 bytes/);
    const chunked = await partialUpload(`${h.url}/api/echo`, { declared: null, first: LIMIT + 100 });
    assert.equal(chunked.status, 413);
    await withTimeout(chunked.closed, 5000, "the server to close the connection");
    const continued = await partialUpload(`${h.url}/api/echo`, {
      declared: LIMIT + 1,
      first: 0,
      headers: { expect: "100-continue" },
    });
    assert.deepEqual([continued.status, continued.continued], [413, false]);
  });

  it("a body within the limit is served (keep-alive is kept for those)", async () => {
    const payload = { pad: "x".repeat(LIMIT - 100) };
    const r = await http("POST", `${h.url}/api/echo`, payload, { "content-type": "application/json" });
    assert.equal(r.status, 201);
    assert.equal(r.body.got.pad.length, LIMIT - 100);
    assert.notEqual(r.headers.get("connection"), "close");
  });
});
