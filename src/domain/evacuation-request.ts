// Validation of a region evacuation request, pure so it is tested without I/O.
import { z } from "zod";
import { PAIR_NAME } from "./names";
import { freeText, issueField, type ParseResult } from "./failover-request";

export const evacuationRequestSchema = z.strictObject({
  region: z
    .string({ error: "is required: the Azure region whose primaries fail over, e.g. eastus" })
    .regex(/^[a-z0-9]{2,40}$/, "must be an Azure region name such as eastus (lower-case letters and digits)"),
  option: z.enum(["Planned", "Forced"], { error: 'must be "Planned" or "Forced"' }).optional(),
  reason: freeText("say why (it goes into the audit)", { min: 3, max: 500 }),
  requestedBy: freeText("who asks (it goes into the audit)", { min: 1, max: 200 }).optional(),
  pairs: z
    .array(z.string().regex(PAIR_NAME, "must be names of configured pairs"), { error: "must be a list of pair names" })
    .min(1, "must name at least one pair (or be left out: every pair whose primary is in the region)")
    .max(200)
    .refine((a) => new Set(a).size === a.length, "must not name a pair twice")
    .optional(),
  acceptDataLoss: z.boolean({ error: "must be true or false" }).optional(),
  concurrency: z.number({ error: "must be a number" }).int().min(1).max(16).optional(),
});

export type EvacuationRequest = z.output<typeof evacuationRequestSchema>;

export function parseEvacuationRequest(body: unknown): ParseResult<EvacuationRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", message: "must be a JSON object" };
  }
  const r = evacuationRequestSchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    return {
      ok: false,
      field: "body",
      message: "has an unknown field (known: region, option, reason, requestedBy, pairs, acceptDataLoss, concurrency)",
    };
  }
  return { ok: false, field: issueField(issue), message: issue.message };
}
