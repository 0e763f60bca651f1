// Short watches inside an activity: a change is seen within a fraction of a second of happening, while
// the orchestration's history grows by one call per window instead of one timer per check.

/** Re-runs `check` every `everyMs` until `done` says so or `seconds` have passed; returns the last result. */
export async function watch<T>(
  check: () => Promise<T>,
  done: (t: T) => boolean,
  o: { seconds: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + o.seconds * 1000;
  for (;;) {
    const t = await check();
    if (done(t) || Date.now() >= deadline) return t;
    await new Promise((r) => setTimeout(r, Math.min(o.everyMs ?? 200, Math.max(0, deadline - Date.now()))));
  }
}
