// The bench's side of the evacuation contract, against a stand-in for the app's endpoint: what it POSTs, how it
// follows the status (202 while running, 200 when done; statusUri relative or absolute), what it records, and
// that an evacuation that did not succeed fails the bench instead of becoming a figure.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FailoverApi } from "../../local/drill/api";
import { evacuate, type EvacuationView } from "../../local/bench/fleet";

interface Seen {
  method: string;
  path: string;
  body: unknown;
  auth?: string;
}

async function standIn(
  final: Partial<EvacuationView>,
  o: { absolute?: boolean; runningPolls?: number } = {},
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const startedAt = Date.now();
  let polls = 0;
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        path: req.url!,
        body: text ? JSON.parse(text) : undefined,
        auth: req.headers.authorization,
      });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.method === "POST" && req.url === "/api/evacuations")
        return send(202, { id: "evac-1", statusUri: `${o.absolute ? base : ""}/api/evacuations/evac-1` });
      // A pair's run: its verify phase ended 1.5 s after the stand-in started (the evacuation's POST).
      if (req.method === "GET" && req.url?.startsWith("/api/failovers/")) {
        const verifiedAt = new Date(startedAt + 1500).toISOString();
        return send(200, { result: { phases: [{ phase: "verify", endedAt: verifiedAt }] } });
      }
      if (req.method === "GET" && req.url === "/api/evacuations/evac-1") {
        const view = {
          id: "evac-1",
          region: "eastus",
          startedAt: "2026-11-27T10:00:00.000Z",
          pairs: [],
          summary: { total: 2, succeeded: 0, failed: 0, refused: 0 },
        };
        if (polls++ < (o.runningPolls ?? 2)) return send(202, { ...view, outcome: "running" });
        return send(200, { ...view, ...final });
      }
      send(404, { error: { code: "NotFound" } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const lab = (throttled: number[]) => ({
  info: { pairs: [{}, {}, {}] },
  throttleState: () => ({ enabled: true, limits: null, throttled: throttled.shift() ?? 0 }),
});

test("evacuate POSTs the contract's body as alice, follows 202s to the 200, and records the evacuation", async (t) => {
  const s = await standIn({
    outcome: "succeeded",
    endedAt: "2026-11-27T10:00:04.500Z",
    summary: { total: 2, succeeded: 2, failed: 0, refused: 0 },
    pairs: [
      { pair: "lab", id: "failover-lab-1", outcome: "succeeded", step: "done" },
      { pair: "lab-1", id: "failover-lab-1-2", outcome: "succeeded", step: "done" },
    ],
  });
  t.after(() => s.close());
  const api = new FailoverApi(s.url, { token: "alice-token" });
  const sample = await evacuate({ api, lab: lab([5, 12]) }, ["lab", "lab-1"], true, () => undefined);
  const [post, ...gets] = s.seen;
  assert.deepEqual(post, {
    method: "POST",
    path: "/api/evacuations",
    body: { region: "eastus", option: "Planned", reason: "npm run bench: fleet scaling", pairs: ["lab", "lab-1"] },
    auth: "Bearer alice-token",
  });
  const polls = gets.filter((g) => g.path === "/api/evacuations/evac-1");
  assert.equal(polls.length, 3, "two 202s, then the 200");
  assert.deepEqual(
    gets.filter((g) => g.path.startsWith("/api/failovers/")).map((g) => g.path),
    ["/api/failovers/failover-lab-1", "/api/failovers/failover-lab-1-2"],
    "then each pair's run, for when it was verified",
  );
  assert.ok(sample.verifiedSeconds! > 1 && sample.verifiedSeconds! < 5, `verified ${sample.verifiedSeconds}`);
  assert.equal(sample.pairs, 2);
  assert.equal(sample.throttled, true);
  assert.equal(sample.outcome, "succeeded");
  assert.equal(sample.reportedSeconds, 4.5);
  assert.equal(sample.throttledRequests, 7);
  assert.ok(sample.seconds > 0);
  assert.deepEqual(sample.summary, { total: 2, succeeded: 2, failed: 0, refused: 0 });
});

test("without pairs the whole region is evacuated; an absolute statusUri is followed on this host", async (t) => {
  const s = await standIn({ outcome: "succeeded" }, { absolute: true, runningPolls: 0 });
  t.after(() => s.close());
  const sample = await evacuate({ api: new FailoverApi(s.url), lab: lab([0, 0]) }, undefined, false, () => undefined);
  assert.equal((s.seen[0]!.body as { pairs?: unknown }).pairs, undefined);
  assert.equal(sample.pairs, 3, "every pair of the lab");
  assert.equal(sample.reportedSeconds, null, "no endedAt reported");
  assert.equal(sample.verifiedSeconds, null, "no pair's run to read: not a figure");
});

test("an evacuation that did not succeed fails the bench with what each pair said", async (t) => {
  const s = await standIn({
    outcome: "partial",
    pairs: [
      { pair: "lab-1", id: "failover-lab-1-x", outcome: "refused", step: "preflight", code: "ReplicationNotActive" },
    ],
  });
  t.after(() => s.close());
  await assert.rejects(
    evacuate({ api: new FailoverApi(s.url), lab: lab([0, 0]) }, ["lab", "lab-1"], false, () => undefined),
    /ended partial: .*ReplicationNotActive/,
  );
});
