// Faults on demand, observed through the real SDK clients; the LRO protocol as a raw client sees it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startLab, type Lab } from "../../local/lab";
import { armFetch, clients, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("lab faults: status, stall, drop, failed promote, held operations; request log", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  let serverPath: (name: string) => string;
  before(async () => {
    lab = await startLab({ promoteDelayMs: 200, azurite: false });
    sdk = clients(lab);
    serverPath = (name) =>
      `/subscriptions/${lab.info.subscriptionId}/resourceGroups/${lab.info.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);
  const getCname = () => sdk.dns.recordSets.get(lab.info.resourceGroup, lab.info.zone, "CNAME", lab.info.cnameRecord);

  test(
    "status faults: the next N matching requests fail (429 with Retry-After, 500, 503), then requests succeed",
    LAB_TEST,
    async () => {
      lab.faults.add({ kind: "status", status: 429, retryAfterSeconds: 7, method: "GET", path: "/CNAME/prod" });
      await assert.rejects(
        getCname(),
        (e: any) =>
          e.statusCode === 429 && e.code === "TooManyRequests" && e.response?.headers.get("retry-after") === "7",
      );
      lab.faults.add({ kind: "status", status: 500, path: "privatednszones", times: 2 });
      await assert.rejects(getCname(), (e: any) => e.statusCode === 500);
      await assert.rejects(getCname(), (e: any) => e.statusCode === 500);
      lab.faults.add({ kind: "status", status: 503, path: /flexibleservers\/[^/]+$/ });
      // a fault for another path does not fire here
      assert.equal((await getCname()).ttl, 3600);
      await assert.rejects(
        sdk.pg.servers.get(lab.info.resourceGroup, lab.info.servers.primary.name),
        (e: any) => e.statusCode === 503,
      );
      assert.equal(lab.faults.list().length, 0);
      const faulted = lab
        .requests()
        .filter((r) => r.fault === "status")
        .map((r) => r.status);
      assert.deepEqual(faulted, [429, 500, 500, 503]);
    },
  );

  test("with SDK retries on, a transient 503 is retried and the call succeeds", LAB_TEST, async () => {
    const retrying = clients(lab, { maxRetries: 2 });
    lab.faults.add({ kind: "status", status: 503, retryAfterSeconds: 0, path: "/CNAME/prod" });
    lab.clearRequests();
    const rs = await retrying.dns.recordSets.get(lab.info.resourceGroup, lab.info.zone, "CNAME", lab.info.cnameRecord);
    assert.equal(rs.ttl, 3600);
    assert.deepEqual(
      lab.requests().map((r) => r.status),
      [503, 200],
    );
  });

  test("drop: the connection is destroyed and the SDK sees a network error", LAB_TEST, async () => {
    lab.faults.add({ kind: "drop", method: "GET", path: "/cname/" });
    await assert.rejects(getCname(), (e: any) => /ECONNRESET|socket hang up/i.test(`${e.code} ${e.message}`));
    assert.equal((await getCname()).ttl, 3600);
  });

  test("stall: held for N ms, or until the fault is cleared", LAB_TEST, async () => {
    lab.faults.add({ kind: "stall", ms: 250, path: "/cname/prod" });
    const t = Date.now();
    await getCname();
    assert.ok(Date.now() - t >= 240, "held at least the stall time");

    const f = lab.faults.add({ kind: "stall", path: "/cname/prod" });
    const other = lab.faults.add({ kind: "status", status: 500, path: "/never-requested" });
    lab.clearRequests();
    let done = false;
    const pending = getCname().then((r) => {
      done = true;
      return r;
    });
    const held = () => lab.requests().find((r) => r.fault === "stall");
    await waitFor("the request to reach the stall", () => held() !== undefined, 10_000);
    lab.faults.clear(other.id); // clearing another fault does not release it
    await new Promise((r) => setImmediate(r));
    assert.equal(held()?.status, 0, "still held: no response yet");
    assert.equal(done, false);
    lab.faults.clear(f.id);
    assert.equal((await pending).ttl, 3600);
    // the server records the status when its write completes, which may come after the client has the answer
    await waitFor("the released request to be logged as answered", () => held()?.status === 200, 10_000);
  });

  test(
    "the HTTP fault API (POST/GET/DELETE /_lab/faults, same token) and the request log over HTTP",
    LAB_TEST,
    async () => {
      const add = await armFetch(lab, "POST", "/_lab/faults", {
        kind: "status",
        status: 500,
        pathRegex: "/a/[0-9a-f]{12}$",
        times: "always",
      });
      assert.equal(add.status, 201);
      assert.equal(add.body.value[0].remaining, "always");
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          sdk.dns.recordSets.get(lab.info.resourceGroup, lab.info.zone, "A", lab.info.servers.primary.aRecord),
          (e: any) => e.statusCode === 500,
        );
      }
      assert.equal((await armFetch(lab, "GET", "/_lab/faults")).body.value.length, 1);
      assert.equal((await armFetch(lab, "DELETE", "/_lab/faults")).status, 204);
      assert.ok(
        await sdk.dns.recordSets.get(lab.info.resourceGroup, lab.info.zone, "A", lab.info.servers.primary.aRecord),
      );
      const bad = await armFetch(lab, "POST", "/_lab/faults", { kind: "explode" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "InvalidFault");
      const noAuth = await armFetch(lab, "GET", "/_lab/faults", undefined, { Authorization: "Bearer nope" });
      assert.equal(noAuth.status, 401);
      const log = await armFetch(lab, "GET", "/_lab/requests");
      assert.ok(log.body.value.some((r: any) => r.method === "GET" && r.status === 500));
      assert.ok(!log.body.value.some((r: any) => r.path.startsWith("/_lab")), "control calls are not logged");
    },
  );

  test("promoteFail: the promote LRO ends Failed with the error, the replica stays a replica", LAB_TEST, async () => {
    const { info } = lab;
    lab.faults.add({ kind: "promoteFail", code: "InternalServerError", message: "Simulated RP failure" });
    await assert.rejects(
      sdk.pg.servers.beginUpdateAndWait(
        info.resourceGroup,
        info.servers.replica.name,
        { replica: { promoteMode: "Standalone", promoteOption: "Forced" } },
        { updateIntervalInMs: 20 },
      ),
      (e: any) =>
        /long-running operation has failed/i.test(e.message) &&
        /InternalServerError/.test(e.message) &&
        /Simulated RP failure/.test(e.message),
    );
    const r = await sdk.pg.servers.get(info.resourceGroup, info.servers.replica.name);
    assert.equal(r.replicationRole, "GeoAsyncReplica");
    assert.equal(r.state, "Ready");
    const [row] = await lab.adminQuery<{ rec: boolean }>("replica", "select pg_is_in_recovery() rec");
    assert.equal(row?.rec, true);
  });

  test(
    "LRO protocol as a raw client sees it: lower-case enums with role accepted, 202 with absolute URLs, InProgress then Succeeded, Location 202 then 200",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const noVersion = await armFetch(lab, "PATCH", serverPath(info.servers.replica.name), {
        properties: { replica: { role: "None", promoteMode: "standalone", promoteOption: "forced" } },
      });
      assert.equal(noVersion.status, 400);
      const bad = await armFetch(lab, "PATCH", `${serverPath(info.servers.replica.name)}?api-version=2025-08-01`, {
        properties: { replica: { promoteMode: "standalone", promoteOption: "whenever" } },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "InvalidParameterValue");
      // Held: the operation stays InProgress until the test clears the hold, however slow the machine is.
      const hold = lab.faults.add({ kind: "hold", operation: "promote" });
      const res = await armFetch(
        lab,
        "PATCH",
        `${serverPath(info.servers.replica.name)}?api-version=2023-06-01-preview`,
        { properties: { replica: { role: "None", promoteMode: "standalone", promoteOption: "forced" } } },
      );
      assert.equal(res.status, 202);
      const asyncOp = res.headers["azure-asyncoperation"];
      const location = res.headers["location"];
      assert.ok(asyncOp && location, "both polling URLs");
      assert.match(
        asyncOp,
        new RegExp(
          `^${info.arm.endpoint}/subscriptions/${info.subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/westus/azureAsyncOperation/[0-9a-f-]+\\?api-version=2023-06-01-preview$`,
        ),
      );
      assert.match(location, /\/operationResults\//);
      assert.ok(Number(res.headers["retry-after"]) >= 1);
      const again = await armFetch(lab, "PATCH", `${serverPath(info.servers.replica.name)}?api-version=2025-08-01`, {
        properties: { replica: { promoteMode: "Standalone", promoteOption: "Forced" } },
      });
      assert.equal(again.status, 409, "a second promote while one runs is refused");
      const first = await armFetch(lab, "GET", asyncOp.slice(info.arm.endpoint.length));
      assert.equal(first.body.status, "InProgress");
      assert.ok(first.body.startTime && first.body.name);
      assert.equal(
        first.headers["retry-after"],
        undefined,
        "polls carry no Retry-After unless pollRetryAfterSeconds is set",
      );
      assert.equal((await armFetch(lab, "GET", location.slice(info.arm.endpoint.length))).status, 202);
      const [replica] = await lab.adminQuery<{ rec: boolean }>("replica", "select pg_is_in_recovery() rec");
      assert.equal(replica?.rec, true, "nothing is promoted while the operation is held");
      lab.faults.clear(hold.id);
      let st = first.body;
      while (st.status === "InProgress") {
        await new Promise((r) => setTimeout(r, 25));
        st = (await armFetch(lab, "GET", asyncOp.slice(info.arm.endpoint.length))).body;
      }
      assert.equal(st.status, "Succeeded");
      assert.ok(st.endTime);
      const final = await armFetch(lab, "GET", location.slice(info.arm.endpoint.length));
      assert.equal(final.status, 200);
      assert.equal(final.body.properties.replicationRole, "Primary");
      const promotes = lab.requests().filter((r) => r.method === "PATCH" && /flexibleservers\/[^/]+$/i.test(r.path));
      assert.deepEqual(
        promotes.map((r) => r.status),
        [202, 400, 400, 202, 409],
      );
    },
  );
});
