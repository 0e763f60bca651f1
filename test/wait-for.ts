// The one polling helper of the tests: waits until `fn` gives a value (anything but undefined or false),
// or fails naming what it waited for.
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) {
      // WAIT_TRACE=1 prints how long each wait took: where a slow test spends its time.
      if (process.env.WAIT_TRACE) console.log(`wait ${Date.now() - started} ms: ${what}`);
      return v;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
