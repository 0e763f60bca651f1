// Validation of a failover request (HTTP body or alert), pure so it is tested without I/O.
import { z } from "zod";

export const failoverRequestSchema = z.strictObject({
  pair: z
    .string({ error: "is required: the name of a configured pair" })
    .min(1, "is required: the name of a configured pair"),
  option: z.enum(["Planned", "Forced"], { error: 'must be "Planned" or "Forced"' }).optional(),
  reason: z
    .string({ error: "is required: say why (it goes into the audit)" })
    .trim()
    .min(3, "is required: say why (it goes into the audit), at least 3 characters")
    .max(500, "must be at most 500 characters"),
  requestedBy: z.string().trim().min(1).max(200).optional(),
  dryRun: z.boolean({ error: "must be true or false" }).optional(),
});

export type FailoverRequest = z.output<typeof failoverRequestSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

export function parseFailoverRequest(body: unknown): ParseResult<FailoverRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", message: "must be a JSON object" };
  }
  const r = failoverRequestSchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.length
    ? issue.path.map(String).join(".")
    : issue.code === "unrecognized_keys"
      ? String((issue as { keys?: string[] }).keys?.[0])
      : "body";
  const message =
    issue.code === "unrecognized_keys"
      ? "is not a known field (pair, option, reason, requestedBy, dryRun)"
      : issue.message;
  return { ok: false, field, message };
}
