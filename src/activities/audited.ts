// Every activity attempt is audited: a "started" entry before it acts, and one entry for how it ended
// (succeeded, refused, or failed with the error that the retry policy will see).
import type { AuditJournal } from "../audit/journal";
import { describeError } from "../domain/describe-error";
import type { RunRef } from "./contracts";

type Outcome = { kind?: string; code?: string; reason?: string };

export function audited<I extends RunRef, O>(
  step: string,
  journal: AuditJournal,
  summarize: (output: O, input: I) => string,
  fn: (input: I) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    // Attempts count the retries of one call; a polled step (poll 1, 2, …) starts each poll at attempt 1.
    // Numbered by a counter per (run, step, poll), not by re-reading the timeline: a long poll would make
    // that quadratic in the number of entries.
    const poll = (input as { poll?: number }).poll;
    const attempt = await journal.nextAttempt(input.runId, { step, poll });
    const { runId, pair, ...args } = input;
    const label = `${step}${poll ? ` poll ${poll}` : ""}${attempt > 1 ? ` retry ${attempt - 1}` : ""}`;
    await journal.append({ runId, pair, step, event: "started", attempt, summary: label, detail: { input: args } });
    const t0 = Date.now();
    try {
      const output = await fn(input);
      const refused = (output as Outcome)?.kind === "refused";
      await journal.append({
        runId,
        pair,
        step,
        event: refused ? "refused" : "succeeded",
        attempt,
        durationMs: Date.now() - t0,
        summary: refused ? `${(output as Outcome).code}: ${(output as Outcome).reason}` : summarize(output, input),
        detail: { output },
      });
      return output;
    } catch (e) {
      await journal
        .append({
          runId,
          pair,
          step,
          event: "failed",
          attempt,
          durationMs: Date.now() - t0,
          summary: `${describeError(e)} (retried if attempts remain)`,
        })
        .catch(() => undefined); // the original error matters more than a failed audit of it
      throw e;
    }
  };
}
