// Sorting Azure SDK errors once, in the adapters: a permanent answer (403, 404, 409 but "busy", 400, …) becomes an
// ArmRefusal, which the activity wrapper returns as a typed refusal so the orchestrator stops without
// retrying; anything else (network, 408/429/5xx, and 412 "re-read and decide again") is thrown as it is
// and retried by the durable retry policy.
import { isRestError } from "@azure/core-rest-pipeline";
import { isBusy } from "../domain/promotion";

/** Statuses that retrying cannot change. 412 is not here: it means "someone wrote first, read again". */
const PERMANENT = new Set([400, 401, 403, 404, 405, 409, 422]);

/** A permanent ARM answer, named by what we were doing when we got it. */
export class ArmRefusal extends Error {
  override readonly name = "ArmRefusal";
  constructor(
    /** What the app was doing, e.g. "read the CNAME", "promote pg-prod-wus". */
    readonly operation: string,
    readonly code: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`ARM refused to ${operation} (${status ? `HTTP ${status} ` : ""}${code}): ${detail}`);
  }
}

export function isArmRefusal(e: unknown): e is ArmRefusal {
  return e instanceof ArmRefusal;
}

/** Runs one ARM call; a permanent refusal is rethrown as an ArmRefusal naming `operation`. */
export async function armCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    // "Busy with another operation, please try again later" (ServerBusy, ServerIsNotReady, …) is a 409 that
    // retrying does change: thrown as it is, so the step's retry policy backs off and tries again.
    if (isRestError(e) && isBusy(e.code, e.message)) throw e;
    if (isRestError(e) && e.statusCode !== undefined && PERMANENT.has(e.statusCode)) {
      throw new ArmRefusal(operation, e.code ?? `Http${e.statusCode}`, e.statusCode, firstLine(e.message));
    }
    throw e;
  }
}

/** An HTTP status, if the error carries one. */
export function statusOf(e: unknown): number | undefined {
  return isRestError(e) ? e.statusCode : undefined;
}

function firstLine(s: string): string {
  return (s.split("\n")[0] ?? "").slice(0, 500);
}

/** ARM says the resource does not exist (404 / …NotFound), as the adapters report it or as a raw SDK error. */
export function isNotFound(e: unknown): boolean {
  if (isArmRefusal(e)) return e.status === 404 || /notfound/i.test(e.code);
  return (e as { statusCode?: unknown })?.statusCode === 404;
}
