// A per-key cache that keeps a value for a few seconds after it was read, with single flight: callers that
// arrive while a read is in flight share it. GET /api/pairs uses it so that readers cannot spend the app's ARM
// read budget (each pair's view costs three ARM reads and two logins).

export class FreshCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; settledAt?: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value of `key` while in flight or younger than the TTL; otherwise `load()`, shared. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const held = this.entries.get(key);
    if (held && (held.settledAt === undefined || this.now() - held.settledAt < this.ttlMs)) return held.value;
    const entry: { value: Promise<V>; settledAt?: number } = { value: load() };
    this.entries.set(key, entry);
    entry.value.then(
      () => {
        entry.settledAt = this.now();
      },
      () => {
        // A failed read is not kept: the next caller tries again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }
}
