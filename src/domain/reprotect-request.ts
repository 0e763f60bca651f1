// Validation of a re-protection request, pure so it is tested without I/O.
import { z } from "zod";
import { freeText, issueField, type ParseResult } from "./failover-request";
import { RETIRE_OLD, SERVER_NAME, SERVER_NAME_RULE } from "./reprotect";

const FIELDS = ["reason", "requestedBy", "region", "name", "retireOld"] as const;

export const reprotectRequestSchema = z.strictObject({
  reason: freeText("say why (it goes into the audit)", { min: 3, max: 500 }),
  requestedBy: freeText("who asks (it goes into the audit)", { min: 1, max: 200 }).optional(),
  region: z
    .string({ error: "must be an Azure region name such as eastus" })
    .regex(/^[a-z0-9]{2,40}$/, "must be an Azure region name such as eastus (lower-case letters and digits)")
    .optional(),
  name: z
    .string({ error: `must be a server name: ${SERVER_NAME_RULE}` })
    .regex(SERVER_NAME) // refused with the string's own error, above
    .optional(),
  retireOld: z.enum(RETIRE_OLD as [string, ...string[]], { error: 'must be "keep", "stop" or "delete"' }).optional(),
});

export type ReprotectRequest = Omit<z.output<typeof reprotectRequestSchema>, "retireOld"> & {
  retireOld?: (typeof RETIRE_OLD)[number];
};

export function parseReprotectRequest(body: unknown): ParseResult<ReprotectRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", message: "must be a JSON object" };
  }
  const r = reprotectRequestSchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data as ReprotectRequest };
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys")
    return { ok: false, field: "body", message: `has an unknown field (known: ${FIELDS.join(", ")})` };
  return { ok: false, field: issueField(issue), message: issue.message };
}
