// The host group-commits its instance store, yet an activity never starts before the TaskScheduled that
// owes it is on disk, and a 202 for a start or an event is only sent once the start or event is on disk.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EventType } from "../../local/host/types";
import { http, removeDir, startFixtureHost, startOrchestration, waitForStatus } from "./helpers";

/** The instance's record as the store has it on disk right now (undefined: not written yet). */
interface OnDisk {
  inbox: { EventType: EventType }[];
  history: { EventType: EventType }[];
}
function onDisk(dataDir: string, id: string): OnDisk | undefined {
  for (const hub of readdirSync(dataDir)) {
    const file = join(dataDir, hub, "instances", `${encodeURIComponent(id)}.json`);
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  }
  return undefined;
}

describe("instance store: group commit keeps the write-ahead", () => {
  it("every activity finds its own TaskScheduled on disk when it starts, one after another and fanned out", async () => {
    const h = await startFixtureHost({ virtualClock: false });
    try {
      const s = await startOrchestration(h, "writeAhead", h.dataDir, "wa-1");
      const done = await waitForStatus(s.statusQueryGetUri);
      assert.equal(done.body.runtimeStatus, "Completed", JSON.stringify(done.body));
      // The i-th sequential activity sees i scheduled; each of the fan-out sees all 3 + 4.
      assert.deepEqual(done.body.output, { seen: [1, 2, 3], fan: [7, 7, 7, 7] });
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });

  it("the 202 of a start and of a raised event comes after they are on disk", async () => {
    const h = await startFixtureHost({ virtualClock: false });
    try {
      const s = await startOrchestration(h, "waiter", undefined, "wa-2");
      // Read the file the moment the 202 arrives: no waiting, no polling.
      assert.ok(onDisk(h.dataDir, "wa-2"), "the started instance is on disk when the start is answered");
      await waitForStatus(s.statusQueryGetUri, (b) => b.runtimeStatus === "Running");
      const raised = await http("POST", s.sendEventPostUri.replace("{eventName}", "go"), "value");
      assert.equal(raised.status, 202);
      const rec = onDisk(h.dataDir, "wa-2")!;
      const eventRaised = [...rec.inbox, ...rec.history].filter((e) => e.EventType === EventType.EventRaised);
      assert.equal(eventRaised.length, 1, "the raised event is on disk when the 202 is sent");
      assert.equal((await waitForStatus(s.statusQueryGetUri)).body.output, "value");
    } finally {
      await h.stop();
      removeDir(h.dataDir);
    }
  });
});
