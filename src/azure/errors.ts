// Sorting Azure SDK errors into "retry it" and "stop, someone must look". Activities throw the first kind
// (the durable retry policy handles them) and return the second as a typed refusal.

export interface ArmFailure {
  transient: boolean;
  status?: number;
  code: string;
  message: string;
}

const PERMANENT = new Set([400, 401, 403, 404, 405, 409, 412, 422]);

export function classifyArmError(e: unknown): ArmFailure {
  const err = e as { statusCode?: number; code?: string; message?: string; name?: string };
  const status = typeof err?.statusCode === "number" ? err.statusCode : undefined;
  const code = err?.code ?? (status ? `Http${status}` : (err?.name ?? "Error"));
  const message = firstLine(err?.message ?? String(e));
  if (status !== undefined) return { transient: !PERMANENT.has(status), status, code, message };
  // A long-running operation that ended Failed is a permanent outcome, not a network hiccup.
  if (/long-running operation has failed/i.test(message)) return { transient: false, code: "OperationFailed", message };
  return { transient: true, code, message };
}

export function isPreconditionFailed(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string };
  return err?.statusCode === 412 || err?.code === "PreconditionFailed";
}

export function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number })?.statusCode === 404;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.slice(0, 500);
}
