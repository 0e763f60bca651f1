// The local host's instance store group-commits: saves made together are written in one batch, a save made
// while a batch runs goes into the next one, and flush() resolves only once everything saved before it is on
// disk (what a fresh store — the host after a crash — reads back).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { InstanceStore } from "../../local/host/store";
import type { InstanceRecord } from "../../local/host/types";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), "store-"));
  dirs.push(d);
  return d;
};

const record = (instanceId: string, status: InstanceRecord["status"] = "Running"): InstanceRecord => ({
  instanceId,
  name: "o",
  executionId: "e",
  status,
  input: null,
  output: null,
  customStatus: null,
  createdTime: "2026-12-05T00:00:00.000Z",
  lastUpdatedTime: "2026-12-05T00:00:00.000Z",
  parent: null,
  history: [],
  inbox: [],
});

/** What a host restarted on this directory would see. */
const reread = (dir: string) =>
  new InstanceStore(dir, "hub")
    .all()
    .map((r) => `${r.instanceId}:${r.status}`)
    .sort();

describe("InstanceStore (group commit)", () => {
  it("nothing saved is on disk before flush resolves; everything is after", async () => {
    const dir = dataDir();
    const store = new InstanceStore(dir, "hub");
    store.save(record("a"));
    store.save(record("b", "Completed"));
    assert.deepEqual(reread(dir), [], "save() itself does not block on the disk");
    await store.flush();
    assert.deepEqual(reread(dir), ["a:Running", "b:Completed"]);
  });

  it("many saves in one turn of the event loop are one batch, each record written once as it stands last", async () => {
    const dir = dataDir();
    const store = new InstanceStore(dir, "hub");
    for (let i = 0; i < 20; i++) store.save(record(`r${i % 5}`, i >= 15 ? "Completed" : "Running"));
    await store.flush();
    assert.deepEqual(store.stats, { batches: 1, writes: 5, removals: 0 });
    assert.deepEqual(
      reread(dir),
      ["r0", "r1", "r2", "r3", "r4"].map((id) => `${id}:Completed`),
    );
  });

  it("a change made while a batch is writing goes into the next batch, and a later flush waits for it", async () => {
    const dir = dataDir();
    const store = new InstanceStore(dir, "hub");
    const rec = record("x");
    store.save(rec);
    const first = store.flush();
    await new Promise((r) => setImmediate(r)); // the first batch has taken its snapshot and is writing
    rec.status = "Completed";
    store.save(rec);
    const second = store.flush();
    await first;
    await second;
    assert.equal(store.stats.batches, 2);
    assert.deepEqual(reread(dir), ["x:Completed"]);
  });

  it("a delete is ordered with the saves around it", async () => {
    const dir = dataDir();
    const store = new InstanceStore(dir, "hub");
    store.save(record("gone"));
    store.save(record("kept"));
    await store.flush();
    store.delete("gone");
    await store.flush();
    assert.deepEqual(reread(dir), ["kept:Running"]);
    store.save(record("gone", "Pending")); // the same id started again after its purge
    await store.flush();
    assert.deepEqual(reread(dir), ["gone:Pending", "kept:Running"]);
    assert.ok(!readdirSync(join(dir, "hub", "instances")).some((f) => f.endsWith(".tmp")), "no temp files left");
  });

  it("a failed batch rejects its flush; later saves are written by the next batch", async () => {
    const dir = dataDir();
    const store = new InstanceStore(dir, "hub");
    rmSync(join(dir, "hub", "instances"), { recursive: true }); // the disk refuses (ENOENT) while it is gone
    store.save(record("a"));
    await assert.rejects(store.flush(), { code: "ENOENT" });
    const again = new InstanceStore(dir, "hub"); // recreates the directory, as a restarted host does
    assert.deepEqual(again.all(), []);
    store.save(record("a", "Completed"));
    await store.flush();
    assert.deepEqual(reread(dir), ["a:Completed"]);
  });
});
