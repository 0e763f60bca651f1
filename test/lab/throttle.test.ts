// ARM's subscription throttling in the emulator: token buckets (unit, on a clock of our own), then on a running lab:
// the remaining-requests headers, 429 with Retry-After and ARM's error, the SDK waiting as told, and the controls.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startLab, type Lab } from "../../local/lab";
import { ARM_LIMITS, ArmThrottle, resolveLimits } from "../../local/lab/arm/throttle";
import { armFetch, clients } from "./helpers";
import { LAB_TEST } from "./timeouts";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/X/y/z";
const OTHER = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg/providers/X/y/z";

describe("ARM throttling: token buckets", () => {
  test("ARM's limits: 250 reads then a 429 with Retry-After 1; 25 more a second later; writes and deletes apart", () => {
    let now = 0;
    const t = new ArmThrottle(true, () => now);
    const first = t.admit("GET", SUB);
    assert.deepEqual(first, {
      headers: {
        "x-ms-ratelimit-remaining-subscription-reads": "249",
        "x-ms-ratelimit-remaining-subscription-global-reads": "3749",
      },
    });
    for (let i = 1; i < 250; i++) assert.equal(t.admit("GET", SUB).reject, undefined, `read ${i + 1}`);
    const throttled = t.admit("GET", SUB);
    assert.equal(throttled.reject?.status, 429);
    assert.equal(throttled.reject?.headers?.["Retry-After"], "1");
    const error = (throttled.reject?.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "SubscriptionRequestsThrottled");
    assert.match(error.message, /Number of 'read' requests for subscription '00000000-0000-0000-0000-000000000001'/);
    assert.match(error.message, /try again after '1' seconds/);
    assert.equal(throttled.headers["x-ms-ratelimit-remaining-subscription-reads"], "0");

    // Other kinds and other subscriptions have their own buckets.
    const write = t.admit("PATCH", SUB);
    assert.equal(write.reject, undefined);
    assert.equal(write.headers["x-ms-ratelimit-remaining-subscription-writes"], "199");
    assert.equal(t.admit("DELETE", SUB).headers["x-ms-ratelimit-remaining-subscription-deletes"], "199");
    assert.equal(t.admit("POST", SUB).headers["x-ms-ratelimit-remaining-subscription-writes"], "198");
    assert.equal(t.admit("GET", OTHER).headers["x-ms-ratelimit-remaining-subscription-reads"], "249");

    now += 1000; // refill: 25 tokens
    for (let i = 0; i < 25; i++) assert.equal(t.admit("GET", SUB).reject, undefined, `refilled read ${i + 1}`);
    assert.equal(t.admit("GET", SUB).reject?.status, 429);
    assert.equal(t.state().throttled, 2);
  });

  test("Retry-After is the whole seconds until the next token; off admits everything without headers", () => {
    let now = 0;
    const t = new ArmThrottle({ writes: { bucket: 2, refillPerSecond: 0.25 } }, () => now);
    t.admit("PUT", SUB);
    t.admit("PUT", SUB);
    assert.equal(t.admit("PUT", SUB).reject?.headers?.["Retry-After"], "4");
    now += 3000;
    assert.equal(t.admit("PUT", SUB).reject?.headers?.["Retry-After"], "1");
    now += 1000;
    assert.equal(t.admit("PUT", SUB).reject, undefined);
    assert.deepEqual(t.state().limits?.reads, ARM_LIMITS.reads, "unnamed kinds keep ARM's limits");

    t.set(false);
    assert.deepEqual(t.admit("PUT", SUB), { headers: {} });
    assert.deepEqual(t.state(), { enabled: false, limits: null, throttled: 0 });
  });

  test("limits are validated", () => {
    assert.throws(() => resolveLimits({ reads: { bucket: 0, refillPerSecond: 1 } }), /reads.bucket/);
    assert.throws(() => resolveLimits({ writes: { bucket: 5, refillPerSecond: 0 } }), /writes.refillPerSecond/);
    assert.throws(
      () => resolveLimits({ lists: { bucket: 5, refillPerSecond: 1 } } as never),
      /unknown operation 'lists'/,
    );
  });
});

describe("ARM throttling on a running lab", () => {
  let lab: Lab;
  const serverPath = (name: string) =>
    `/subscriptions/${lab.info.subscriptionId}/resourceGroups/${lab.info.resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}?api-version=2025-08-01`;
  before(async () => {
    lab = await startLab({
      promoteDelayMs: 50,
      azurite: false,
      armThrottle: { reads: { bucket: 3, refillPerSecond: 1 } },
    });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test(
    "the headers count down; an empty bucket answers 429 with Retry-After and ARM's error; the request log says throttled",
    LAB_TEST,
    async () => {
      // Full buckets, refilled so slowly that a loaded machine cannot get a token back during the test.
      lab.throttle({ reads: { bucket: 3, refillPerSecond: 0.01 } });
      lab.clearRequests();
      const path = serverPath(lab.info.servers.primary.name);
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await armFetch(lab, "GET", path);
        assert.equal(r.status, 200);
        remaining.push(r.headers["x-ms-ratelimit-remaining-subscription-reads"]!);
      }
      assert.deepEqual(remaining, ["2", "1", "0"]);
      const r = await armFetch(lab, "GET", path);
      assert.equal(r.status, 429);
      const retryAfter = Number(r.headers["retry-after"]);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 100, `Retry-After ${retryAfter}`);
      assert.equal(r.body.error.code, "SubscriptionRequestsThrottled");
      assert.equal(r.headers["x-ms-ratelimit-remaining-subscription-reads"], "0");
      // Writes have their own bucket (ARM's 200).
      const w = await armFetch(lab, "PATCH", serverPath(lab.info.servers.primary.name), { tags: { a: "b" } });
      assert.equal(w.status, 202);
      assert.equal(w.headers["x-ms-ratelimit-remaining-subscription-writes"], "199");
      const throttled = lab.requests().filter((x) => x.fault === "throttled");
      assert.deepEqual(
        throttled.map((x) => x.status),
        [429],
      );
    },
  );

  test(
    "the SDK honours Retry-After: a throttled GET is sent again no sooner than told, and succeeds",
    LAB_TEST,
    async () => {
      lab.throttle({ reads: { bucket: 1, refillPerSecond: 0.5 } });
      const sdk = clients(lab, { maxRetries: 3 });
      const name = lab.info.servers.replica.name;
      await sdk.pg.servers.get(lab.info.resourceGroup, name); // takes the only token; the next comes in 2 s
      lab.clearRequests();
      const s = await sdk.pg.servers.get(lab.info.resourceGroup, name);
      assert.equal(s.name, name);
      const log = lab.requests();
      assert.deepEqual(
        log.map((x) => x.status),
        [429, 200],
      );
      const waited = Date.parse(log[1]!.time) - Date.parse(log[0]!.time);
      assert.ok(waited >= 1900, `the retry came ${waited} ms after the 429 (Retry-After: 2)`);
    },
  );

  test(
    "control: PUT /_lab/throttle sets limits (empty body: ARM's), DELETE turns it off, a bad spec is a 400",
    LAB_TEST,
    async () => {
      const on = await armFetch(lab, "PUT", "/_lab/throttle", {});
      assert.equal(on.status, 200);
      assert.deepEqual(on.body, { enabled: true, limits: ARM_LIMITS, throttled: 0 });
      const g = await armFetch(lab, "GET", serverPath(lab.info.servers.primary.name));
      assert.equal(g.headers["x-ms-ratelimit-remaining-subscription-reads"], "249");
      assert.equal(g.headers["x-ms-ratelimit-remaining-subscription-global-reads"], "3749");
      assert.deepEqual(lab.throttleState().limits, ARM_LIMITS);

      const bad = await armFetch(lab, "PUT", "/_lab/throttle", { reads: { bucket: -1, refillPerSecond: 1 } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, "InvalidThrottle");

      const off = await armFetch(lab, "DELETE", "/_lab/throttle");
      assert.deepEqual(off.body, { enabled: false, limits: null, throttled: 0 });
      const plain = await armFetch(lab, "GET", serverPath(lab.info.servers.primary.name));
      assert.equal(plain.status, 200);
      assert.equal(plain.headers["x-ms-ratelimit-remaining-subscription-reads"], undefined);
      assert.deepEqual((await armFetch(lab, "GET", "/_lab/throttle")).body, off.body);
    },
  );
});
