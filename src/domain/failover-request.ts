// Validation of a failover request (HTTP body or alert), pure so it is tested without I/O.
import { z } from "zod";
import { PAIR_NAME, PAIR_NAME_RULE } from "./names";

// Free text goes into the host log, the audit table and the status view. It must stay one line of visible
// text: a newline or CR in it forges a log line, ESC drives a terminal, and format characters (zero-width
// spaces, bidi overrides, BOM) hide or reorder what the reader sees. Refused, in both fields and messages:
//   C0 and C1 controls and DEL (Cc), except TAB, which cannot start a line or drive a terminal;
//   Unicode format characters (Cf) — including ZWJ/ZWNJ, so an emoji ZWJ sequence is refused too;
//   line and paragraph separators U+2028/U+2029 (Zl, Zp), which some viewers render as a new line;
//   lone surrogates (Cs), which cannot be encoded as UTF-8.
const UNSAFE = /(?![\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
// Characters that show nothing: text made only of these (after the refusals above) counts as blank. Default
// ignorables include the Hangul fillers and variation selectors; they stay allowed inside visible text.
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}]/gu;

const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
// An unknown field's name is echoed back only when it looks like a field name.
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** Why a piece of free text is refused (undefined when it is fine); never echoes the text itself. */
export function unsafeTextProblem(text: string): string | undefined {
  const m = UNSAFE.exec(text);
  if (!m) return undefined;
  const position = [...text.slice(0, m.index)].length + 1;
  return `must be one line of plain text: ${codePoint(m[0])} at character ${position} is a control or invisible formatting character`;
}

/**
 * A refinement's issue: only its message and path reach the 400 (the code is zod's bookkeeping). The 400 names
 * a field's first issue, so a field's later checks need not be cut short after one.
 */
export function customIssue(message: string) {
  // Stryker disable next-line StringLiteral: the issue's code is read by nothing but zod, which takes any string
  return { code: "custom" as const, message };
}

/**
 * One rule for every free-text field of the API (failover reason and requester today; approve and abort
 * reasons next): a string, no control or format characters, trimmed, between min and max characters
 * (code points, so an emoji counts once), and not blank once invisible characters are ignored.
 * `what` completes "is required: …" so the 400 says what the field is for.
 */
export function freeText(what: string, { min = 1, max }: { min?: number; max: number }) {
  const required = `is required: ${what}`;
  return z
    .string({ error: required })
    .superRefine((text, ctx) => {
      const problem = unsafeTextProblem(text);
      if (problem) ctx.addIssue(customIssue(problem));
    })
    .transform((text) => text.trim())
    .superRefine((text, ctx) => {
      const visible = text.replace(INVISIBLE, "");
      const length = [...text].length;
      if (visible.length === 0) ctx.addIssue(customIssue(`is blank: ${what}`));
      else if (length < min) ctx.addIssue(customIssue(`${required}, at least ${min} characters`));
      else if (length > max) ctx.addIssue(customIssue(`must be at most ${max} characters`));
    });
}

export const failoverRequestSchema = z.strictObject({
  pair: z
    .string({ error: "is required: the name of a configured pair" })
    .min(1) // "" gets the string's own error, above
    .max(40, "must be at most 40 characters: the name of a configured pair")
    // The 404 names the pair back to the caller and the log: only a name that could be configured gets that far.
    .regex(PAIR_NAME, `must be the name of a configured pair (${PAIR_NAME_RULE})`),
  option: z.enum(["Planned", "Forced"], { error: 'must be "Planned" or "Forced"' }).optional(),
  reason: freeText("say why (it goes into the audit)", { min: 3, max: 500 }),
  requestedBy: freeText("who asks (it goes into the audit)", { min: 1, max: 200 }).optional(),
  dryRun: z.boolean({ error: "must be true or false" }).optional(),
  /** Forced only: promote although the last lag sample is above the pair's rpo.maxLagBytes (or unknown). */
  acceptDataLoss: z.boolean({ error: "must be true or false" }).optional(),
  /** Finish a failover whose target is already a standalone server (fence, repoint, verify). */
  complete: z.boolean({ error: "must be true or false" }).optional(),
});

export type FailoverRequest = z.output<typeof failoverRequestSchema>;

const FIELDS = "pair, option, reason, requestedBy, dryRun, acceptDataLoss, complete";
const KNOWN_FIELDS = `is not a known field (${FIELDS})`;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** The field a refused body's issue names, as the 400 says it: its path, or `body` for the body as a whole. */
export function issueField(issue: { path: readonly PropertyKey[] }): string {
  return issue.path.map(String).join(".") || "body";
}

export function parseFailoverRequest(body: unknown): ParseResult<FailoverRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", message: "must be a JSON object" };
  }
  const r = failoverRequestSchema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    // Stryker disable next-line StringLiteral: zod's unrecognized_keys issue always names at least one key
    const key = issue.keys[0] ?? "";
    return FIELD_NAME.test(key)
      ? { ok: false, field: key, message: KNOWN_FIELDS }
      : {
          ok: false,
          field: "body",
          message: `has an unknown field (known: ${FIELDS})`,
        };
  }
  return { ok: false, field: issueField(issue), message: issue.message };
}
