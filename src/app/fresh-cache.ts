// A per-key cache that keeps a value for a few seconds after it was read, with single flight: callers that
// arrive while a read is in flight share it. GET /api/pairs uses it so that readers cannot spend the app's ARM
// read budget (each pair's view costs three ARM reads and two logins).

export class FreshCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; settledAt?: number }>();

  constructor(
    /** A number, or a function read at each lookup (the configured value, known only once the app starts). */
    private readonly ttlMs: number | (() => number),
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value of `key` while in flight or younger than the TTL (this call's, if given); otherwise `load()`, shared. */
  get(key: string, load: () => Promise<V>, ttlMs?: number): Promise<V> {
    const held = this.entries.get(key);
    const ttl = ttlMs ?? (typeof this.ttlMs === "number" ? this.ttlMs : this.ttlMs());
    if (held && (held.settledAt === undefined || this.now() - held.settledAt < ttl)) return held.value;
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
