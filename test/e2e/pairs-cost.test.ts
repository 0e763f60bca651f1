// GET /api/pairs reads each pair's CNAME and both servers from ARM and logs in to both: readers must not be able
// to spend the app's ARM read budget. Counted at the lab's ARM emulator: 10 concurrent GETs read each server
// once; another GET within PGFLEX_PAIRS_VIEW_SECONDS does not read; one after it reads again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MONITORS_OFF } from "../../local/bench/monitors-off";
import { pairView, start } from "./helpers";

test("10 concurrent GET /api/pairs cause one ARM read per server; a GET after the TTL reads again", async (t) => {
  // The minute timers also read ARM: off, so only GET /api/pairs does.
  const ttlMs = 2_000;
  const stack = await start({ settings: { ...MONITORS_OFF, PGFLEX_PAIRS_VIEW_SECONDS: String(ttlMs / 1000) } });
  t.after(() => stack.stop());
  const serverReads = () =>
    stack.lab.requests().filter((r) => r.method === "GET" && /\/flexibleServers\/[^/]+$/i.test(r.path)).length;
  const before = serverReads();
  const views = await Promise.all(Array.from({ length: 10 }, () => pairView(stack)));
  assert.equal(serverReads() - before, 2, "one read of each of the two servers");
  assert.ok(views.every((v) => v.servers.length === 2));
  const served = Date.now();
  await pairView(stack);
  if (Date.now() - served < ttlMs) assert.equal(serverReads() - before, 2, "no read within the TTL");
  await new Promise((r) => setTimeout(r, ttlMs + 200));
  await pairView(stack);
  assert.equal(serverReads() - before, 4, "read again after the TTL");
});
