// Instance state on disk: one JSON file per instance, replaced atomically on every change.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./fs-atomic";
import type { InstanceRecord } from "./types";

export class InstanceStore {
  private readonly dir: string;
  private readonly records = new Map<string, InstanceRecord>();

  constructor(dataDir: string, hubName: string) {
    this.dir = join(dataDir, hubName, "instances");
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith(".json")) continue; // leftovers of an interrupted write end in .tmp
      const rec = JSON.parse(readFileSync(join(this.dir, f), "utf8")) as InstanceRecord;
      this.records.set(rec.instanceId, rec);
    }
  }

  private file(instanceId: string): string {
    return join(this.dir, `${encodeURIComponent(instanceId)}.json`);
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.records.get(instanceId);
  }

  all(): InstanceRecord[] {
    return [...this.records.values()];
  }

  /** Durably writes the record (fsync + rename) before the caller acts on it. */
  save(rec: InstanceRecord): void {
    writeFileAtomic(this.file(rec.instanceId), JSON.stringify(rec));
    this.records.set(rec.instanceId, rec);
  }

  delete(instanceId: string): void {
    const f = this.file(instanceId);
    if (existsSync(f)) rmSync(f);
    this.records.delete(instanceId);
  }
}
