// Short watches inside an activity: a change is seen within a fraction of a second of happening, while
// the orchestration's history grows by one call per window instead of one timer per check.

/**
 * Re-runs `check` every `everyMs` until `done` says so or `seconds` have passed; returns the last result. The pace
 * is kept from each look's start: a look that takes longer (the promote watch's first one also reads ARM) does not
 * push every later look back by as much.
 */
export async function watch<T>(
  check: () => Promise<T>,
  done: (t: T) => boolean,
  o: { seconds: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + o.seconds * 1000;
  const everyMs = o.everyMs ?? 200;
  for (;;) {
    const lookedAt = Date.now();
    const t = await check();
    if (done(t) || Date.now() >= deadline) return t;
    const next = Math.min(lookedAt + everyMs, deadline);
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
}
