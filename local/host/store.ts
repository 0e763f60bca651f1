// Instance state on disk: one JSON file per instance, replaced atomically. Writes are group-committed: save()
// changes the record in memory and marks it; one batch at a time writes every marked record off the event loop
// (each file written, fsynced and renamed in parallel, then the directory fsynced once). A record saved several
// times while a batch runs is written once, as it stands when the next batch starts. Whoever must not act
// before the change is on disk awaits flush() — the engine before it dispatches an episode's work, the
// durable API before it answers a start or an event.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, removeFile, replaceFile } from "./fs-atomic";
import type { InstanceRecord } from "./types";

/** What a batch did, for tests and the bench: records written and removed per directory flush. */
export interface BatchStats {
  batches: number;
  writes: number;
  removals: number;
}

export class InstanceStore {
  private readonly dir: string;
  private readonly records = new Map<string, InstanceRecord>();
  /** Saved or deleted since the running batch took its snapshot. */
  private readonly marked = new Set<string>();
  /** The batch writing now, if any; batches never overlap, so a later state never loses to an earlier one. */
  private running: Promise<void> | null = null;
  /** The batch that will take the marked records once the running one ends. */
  private next: Promise<void> | null = null;
  readonly stats: BatchStats = { batches: 0, writes: 0, removals: 0 };

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

  /** Records the change; it is durable once a flush() called after this resolves. */
  save(rec: InstanceRecord): void {
    this.records.set(rec.instanceId, rec);
    this.mark(rec.instanceId);
  }

  delete(instanceId: string): void {
    this.records.delete(instanceId);
    this.mark(instanceId);
  }

  /** Resolves once every save() and delete() made before the call is on disk; rejects if its batch failed. */
  flush(): Promise<void> {
    if (this.marked.size > 0) return this.next!;
    return this.running ?? Promise.resolve();
  }

  private mark(instanceId: string): void {
    this.marked.add(instanceId);
    if (this.next) return;
    const after = this.running ?? Promise.resolve();
    const batch: Promise<void> = after.then(
      (): Promise<void> => this.write(batch),
      (): Promise<void> => this.write(batch), // a failed batch does not stop later ones (its waiters saw the error)
    );
    this.next = batch;
    // Saves nobody awaits must not end the process on a failed write; the next flush reports it.
    batch.catch(() => undefined);
  }

  private async write(self: Promise<void>): Promise<void> {
    this.next = null;
    this.running = self;
    // The snapshot: serialized now, so a change made after this point is marked for the next batch.
    const ids = [...this.marked];
    this.marked.clear();
    const jobs = ids.map((id) => {
      const rec = this.records.get(id);
      return rec ? { file: this.file(id), data: JSON.stringify(rec) } : { file: this.file(id), data: null };
    });
    try {
      await Promise.all(jobs.map((j) => (j.data === null ? removeFile(j.file) : replaceFile(j.file, j.data))));
      await fsyncDir(this.dir);
      this.stats.batches++;
      for (const j of jobs) {
        if (j.data === null) this.stats.removals++;
        else this.stats.writes++;
      }
    } finally {
      if (this.running === self) this.running = null;
    }
  }
}
