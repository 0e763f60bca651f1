/** One line naming an error for people and the audit: "HTTP <status> <code>: <first line of message>". */
export function describeError(e: unknown): string {
  const err = e as { statusCode?: number; code?: string; message?: string } | undefined;
  const status = typeof err?.statusCode === "number" ? `HTTP ${err.statusCode} ` : "";
  return `${status}${err?.code ? err.code + ": " : ""}${(err?.message ?? String(e)).split("\n")[0]}`;
}
