// Every activity attempt is audited: a "started" entry stamped as it begins, and one entry for how it ended
// (succeeded, refused, or failed with the error that the retry policy will see), including the tries
// the Azure SDK retried by itself. A permanent ARM answer (ArmRefusal, classified in the adapters) is
// returned as a typed refusal, so the orchestrator stops on it without retrying.
import type { AuditJournal, NewAuditEntry } from "../audit/journal";
import { isArmRefusal } from "../azure/errors";
import { recordingSdkTries, type SdkTry } from "../azure/sdk-retries";
import { describeError } from "../domain/describe-error";
import type { Refusal, RunRef } from "./contracts";

type Outcome = { kind?: string; code?: string; reason?: string };

/** How long a step's "started" entry may wait to be written with its outcome (most steps take tens of ms). */
export const STARTED_HOLD_MS = 250;

export function audited<I extends RunRef, O>(
  step: string,
  journal: AuditJournal,
  summarize: (output: Exclude<O, Refusal>, input: I) => string,
  fn: (input: I) => Promise<O>,
): (input: I) => Promise<O | Refusal> {
  return async (input: I) => {
    // Attempts count the retries of one call; a polled step (poll 1, 2, …) starts each poll at attempt 1.
    // Numbered by a counter per (run, step, poll, pair), not by re-reading the timeline: a long poll would make that
    // quadratic in the number of entries. A first attempt is written together with its counter (one Table
    // transaction, one round trip); a retry finds the counter there and is numbered by advancing it. If the
    // attempt cannot be put on record, it fails below so that the retry policy runs it again.
    const poll = (input as { poll?: number }).poll;
    const { runId, pair, ...args } = input;
    // Per pair too: an evacuation claims several pairs in one run, and one pair's claim is no retry of another's.
    const key = { step, poll, pair };
    let numbered: Promise<number> | undefined;
    const attemptNumber = (): Promise<number> => {
      if (!numbered) {
        numbered = journal.nextAttempt(runId, key);
        numbered.catch(() => undefined); // awaited where it is used; a rejection must not end the process meanwhile
      }
      return numbered;
    };
    // The "started" entry is stamped now (so the timeline's order holds) but held back while the step is quick:
    // a step that ends within STARTED_HOLD_MS writes it together with its outcome, in one Table transaction
    // (one round trip, never one without the other). A longer step's "started" is written when the hold ends,
    // so a person watching a minutes-long promote sees it under way; its outcome waits for it.
    const at = new Date().toISOString();
    const startedEntry = (attempt: number): NewAuditEntry => ({
      runId,
      pair,
      step,
      event: "started",
      attempt,
      summary: `${step}${poll ? ` poll ${poll}` : ""}${attempt > 1 ? ` retry ${attempt - 1}` : ""}`,
      detail: { input: args },
      at,
    });
    let startedWrite: Promise<unknown> | undefined;
    const hold = setTimeout(() => {
      startedWrite = attemptNumber()
        .then((attempt) => journal.append(startedEntry(attempt)))
        .then(
          () => undefined,
          (e: unknown) => e ?? new Error("the started entry was not written"), // held, thrown below
        );
    }, STARTED_HOLD_MS);
    hold.unref();
    const t0 = Date.now();
    const r = await recordingSdkTries(() => fn(input));
    clearTimeout(hold);
    const durationMs = Date.now() - t0;
    /** Writes the outcome: with the held "started" entry, or after it has landed (else its error is thrown). */
    const record = async (outcome: (attempt: number) => NewAuditEntry): Promise<void> => {
      if (startedWrite) {
        const notRecorded = await startedWrite;
        if (notRecorded !== undefined) throw notRecorded; // the attempt must be on record: retry it
        return journal.append(outcome(await attemptNumber()));
      }
      // Not written (a retry: the counter is there), or not known to be (any error: the transaction is all or
      // none, so the counter can be advanced and the entries written the slower way, numbered whatever happened).
      // Stryker disable next-line ArrowFunction: undefined is as false as false here
      if (await journal.appendFirstAttempt(runId, key, [startedEntry(1), outcome(1)]).catch(() => false)) return;
      const attempt = await attemptNumber();
      await journal.appendBatch([startedEntry(attempt), outcome(attempt)]);
    };
    const sdk = sdkNote(r.tries);
    const base = { runId, pair, step, durationMs };
    const sdkRetries = r.tries.length ? { sdkRetries: r.tries } : {};
    if ("value" in r) {
      const output = r.value as O & Outcome;
      const refused = output?.kind === "refused";
      await record((attempt) => ({
        ...base,
        attempt,
        event: refused ? "refused" : "succeeded",
        summary:
          (refused ? `${output.code}: ${output.reason}` : summarize(r.value as Exclude<O, Refusal>, input)) + sdk,
        detail: { output, ...sdkRetries },
      }));
      return r.value;
    }
    if (isArmRefusal(r.error)) {
      const refusal: Refusal = { kind: "refused", code: r.error.code, reason: r.error.message };
      await record((attempt) => ({
        ...base,
        attempt,
        event: "refused",
        summary: `${refusal.code}: ${refusal.reason}${sdk}`,
        detail: { output: refusal, ...sdkRetries },
      }));
      return refusal;
    }
    await record((attempt) => ({
      ...base,
      attempt,
      event: "failed",
      summary: `${describeError(r.error)} (retried if attempts remain)${sdk}`,
      detail: sdkRetries,
    })).catch(() => undefined); // the original error matters more than a failed audit of it
    throw r.error;
  };
}

function sdkNote(tries: SdkTry[]): string {
  if (tries.length === 0) return "";
  const list = tries.map((t) => `${t.outcome} ${t.method} …/${t.path.split("/").slice(-2).join("/")}`);
  return `; Azure SDK tries that failed (the SDK retries these itself): ${list.join(", ")}`;
}
