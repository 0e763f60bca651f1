// The run variants as data (after Patroni's demote modes and pg_auto_failover's transition table): what a
// failover does differs by mode (fail over, or complete one whose target is already promoted), by promote
// option (Planned loses nothing, Forced does not wait for the primary) and by whether the old primary answers.
// The runbook reads this table instead of scattering those tests; each row is a unit test.
import type { PromoteOption } from "./facts";

export type Mode = "failover" | "complete";

export interface Variant {
  /** Wait for cached answers holding the old TTL to expire (capped) before the first irreversible step. */
  drain: boolean;
  /**
   * before: fence the old primary before the promote (planned) or the repoint (completing; it answers);
   * after: fence it after the proof if it answers, else through ARM and the fence watch (its region is away).
   */
  fence: "before" | "after";
  /** Watch the replica replay up to the fenced primary's WAL position: zero acknowledged loss. */
  catchUp: boolean;
  /** Promote the replica (completing: it already is). */
  promote: boolean;
  /** The RPO guard applies: a forced promote may lose what the replica had not replayed. */
  rpoGuard: boolean;
}

/** The table. Keys: mode, option, and whether the old primary's data plane answered in preflight. */
export function variantOf(mode: Mode, option: PromoteOption, oldPrimaryAnswers: boolean): Variant {
  if (mode === "complete")
    return {
      drain: option === "Planned",
      fence: oldPrimaryAnswers ? "before" : "after",
      catchUp: false,
      promote: false,
      rpoGuard: false,
    };
  if (option === "Planned") return { drain: true, fence: "before", catchUp: true, promote: true, rpoGuard: false };
  return { drain: false, fence: "after", catchUp: false, promote: true, rpoGuard: true };
}

/** The drain this variant waits: the old TTL, capped. */
export function drainSeconds(v: Variant, ttl: number, capSeconds: number): number {
  return v.drain ? Math.min(ttl, capSeconds) : 0;
}

/** The most the run may take once it starts changing things: each wait it commits to, at its deadline. */
export function rtoBudgetSeconds(
  v: Variant,
  drain: number,
  t: { catchUpDeadlineSeconds: number; promoteDeadlineSeconds: number; verifyDeadlineSeconds: number },
): number {
  return (
    drain +
    (v.catchUp ? t.catchUpDeadlineSeconds : 0) +
    (v.promote ? t.promoteDeadlineSeconds : 0) +
    t.verifyDeadlineSeconds
  );
}
