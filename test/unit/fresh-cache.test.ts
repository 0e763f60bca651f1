// GET /api/pairs costs three ARM reads and two logins per pair: concurrent readers share one read, a reader
// within the TTL gets the same view, a reader after it reads again; a failed read is not kept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FreshCache } from "../../src/app/fresh-cache";
import { pairTopology } from "../../src/app/pair-topology";
import { EUS, FakeDns, FakeServers, fakeDeps, pair, primaryState, replicaState } from "./fixtures";

function countingDeps() {
  const reads = { arm: 0, logins: 0 };
  const servers = new FakeServers({ "pg-eus": primaryState(), "pg-wus": replicaState() });
  const get = servers.get.bind(servers);
  servers.get = async (id: string) => {
    reads.arm++;
    await new Promise((r) => setTimeout(r, 20)); // a read takes time: the callers overlap
    return get(id);
  };
  const dns = new FakeDns({ target: EUS, ttl: 30 });
  const getCname = dns.getCname.bind(dns);
  dns.getCname = async () => {
    reads.arm++;
    return getCname();
  };
  const deps = fakeDeps(dns, servers, {
    fenceState: async () => {
      reads.logins++;
      return { inRecovery: false, readOnlyDefault: "off" } as never;
    },
  });
  return { deps, reads };
}

test("20 concurrent readers of a pair's view cause one set of reads; after the TTL it is read again", async () => {
  let now = 1_000_000;
  const cache = new FreshCache<unknown>(5_000, () => now);
  const { deps, reads } = countingDeps();
  const read = () => cache.get(pair.name, async () => pairTopology(deps, await deps.pair(pair.name)));
  const views = await Promise.all(Array.from({ length: 20 }, read));
  assert.deepEqual(reads, { arm: 3, logins: 2 }, "one CNAME read, two server reads, two logins");
  assert.ok(views.every((v) => v === views[0]));
  now += 4_999;
  await read();
  assert.deepEqual(reads, { arm: 3, logins: 2 }, "within the TTL: the same view");
  now += 1;
  await Promise.all([read(), read()]);
  assert.deepEqual(reads, { arm: 6, logins: 4 }, "after the TTL: read again, once");
});

test("each pair has its own entry; a failed read is not kept", async () => {
  const cache = new FreshCache<number>(5_000);
  let loads = 0;
  assert.equal(await cache.get("a", async () => ++loads), 1);
  assert.equal(await cache.get("b", async () => ++loads), 2);
  assert.equal(await cache.get("a", async () => ++loads), 1);
  await assert.rejects(
    cache.get("c", async () => {
      loads++;
      throw new Error("storage down");
    }),
  );
  assert.equal(await cache.get("c", async () => ++loads), 4, "tried again");
});

test("the TTL may be read at each lookup (the configured setting) or given per call", async () => {
  let now = 0;
  let ttl = 1000;
  const cache = new FreshCache<number>(
    () => ttl,
    () => now,
  );
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.get("k", load), 1);
  now = 900;
  assert.equal(await cache.get("k", load), 1, "within the TTL read at lookup");
  ttl = 500;
  assert.equal(await cache.get("k", load), 2, "the TTL as it is now, not as it was when the cache was made");
  now = 1300;
  assert.equal(await cache.get("k", load, 5000), 2, "a per-call TTL wins");
  assert.equal(await cache.get("k", load, 100), 3);
});
