// NCRONTAB expressions as the Functions timer trigger reads them (NCrontab's CrontabSchedule, which
// the WebJobs CronSchedule wraps): 6 fields "sec min hour day month day-of-week", or 5 without
// seconds. Per field: `*`, `n`, `a-b` (reversed bounds are swapped), `*/s`, `a-b/s`, `n/s` (n to the
// maximum), comma lists, month and day names by case-insensitive prefix ("Jan", "mon"). Day of month
// AND day of week must both match. Occurrences are computed in UTC at whole seconds.

interface FieldSpec {
  kind: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { kind: "Second", min: 0, max: 59 },
  { kind: "Minute", min: 0, max: 59 },
  { kind: "Hour", min: 0, max: 23 },
  { kind: "Day", min: 1, max: 31 },
  {
    kind: "Month",
    min: 1,
    max: 12,
    names: [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ],
  },
  {
    kind: "DayOfWeek",
    min: 0,
    max: 6,
    names: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
  },
];

export class CrontabError extends Error {}

/** A parsed field: the set of values it allows. */
export interface CronField {
  readonly values: ReadonlySet<number>;
  /** True when every value of the field's range is allowed (NCrontab prints it as "*"). */
  readonly full: boolean;
}

export interface CronExpression {
  readonly expression: string;
  /** False for 5-field expressions (seconds fixed at 0). */
  readonly includesSeconds: boolean;
  readonly fields: {
    second: CronField;
    minute: CronField;
    hour: CronField;
    day: CronField;
    month: CronField;
    dayOfWeek: CronField;
  };
  /** First occurrence strictly after `afterMs` (sub-second part ignored), or null if there is none. */
  next(afterMs: number): number | null;
}

function parseInteger(text: string, spec: FieldSpec, whole: string): number {
  if (!/^\d+$/.test(text)) throw new CrontabError(`'${whole}' is not a valid [${spec.kind}] crontab field expression.`);
  return Number(text);
}

function parseValue(text: string, spec: FieldSpec, whole: string): number {
  if (text === "") throw new CrontabError("A crontab field value cannot be empty.");
  if (/^[0-9]/.test(text)) return parseInteger(text, spec, whole);
  if (!spec.names)
    throw new CrontabError(
      `'${text}' is not a valid [${spec.kind}] crontab field value. It must be a numeric value between ${spec.min} and ${spec.max} (all inclusive).`,
    );
  const i = spec.names.findIndex((n) => n.toLowerCase().startsWith(text.toLowerCase()));
  if (i < 0)
    throw new CrontabError(`'${text}' is not a known value name. Use one of the following: ${spec.names.join(", ")}.`);
  return i + spec.min;
}

function accumulate(spec: FieldSpec, set: Set<number>, start: number, end: number, step: number): void {
  const check = (v: number) => {
    if (v < spec.min || v > spec.max)
      throw new CrontabError(
        `${v} is ${v < spec.min ? "lower than the minimum" : "higher than the maximum"} allowable value for the [${spec.kind}] field. Value must be between ${spec.min} and ${spec.max} (all inclusive).`,
      );
  };
  let [lo, hi] = start <= end ? [start, end] : [end, start];
  if (lo < 0) {
    // "*": the whole range
    lo = spec.min;
    hi = spec.max;
  }
  check(lo);
  check(hi);
  for (let v = lo; v <= hi; v += Math.max(1, step)) set.add(v);
}

function parsePart(part: string, spec: FieldSpec, set: Set<number>, whole: string): void {
  let text = part;
  let step: number | null = null;
  const slash = text.indexOf("/");
  if (slash > 0) {
    step = parseInteger(text.slice(slash + 1), spec, whole);
    text = text.slice(0, slash);
  }
  if (text === "*") return accumulate(spec, set, -1, -1, step ?? 1);
  const dash = text.indexOf("-");
  if (dash > 0) {
    const a = parseValue(text.slice(0, dash), spec, whole);
    const b = parseValue(text.slice(dash + 1), spec, whole);
    return accumulate(spec, set, a, b, step ?? 1);
  }
  const v = parseValue(text, spec, whole);
  return step === null ? accumulate(spec, set, v, v, 1) : accumulate(spec, set, v, spec.max, step);
}

function parseField(text: string, spec: FieldSpec): CronField {
  const set = new Set<number>();
  // NCrontab splits on commas only when the first one is not at position 0.
  const parts = text.indexOf(",") > 0 ? text.split(",") : [text];
  for (const p of parts) parsePart(p, spec, set, text);
  return { values: set, full: set.size === spec.max - spec.min + 1 };
}

/** Parses an NCRONTAB expression; 5 fields mean no seconds (as the Functions CronSchedule decides). */
export function parseCron(expression: string): CronExpression {
  const tokens = expression.split(" ").filter((t) => t !== "");
  const includesSeconds = tokens.length !== 5;
  if (includesSeconds && tokens.length !== 6)
    throw new CrontabError(
      `'${expression}' is an invalid crontab expression. It must contain 6 components of a schedule in the sequence of seconds, minutes, hours, days, months, and days of week.`,
    );
  const specs = includesSeconds ? FIELDS : FIELDS.slice(1);
  const parsed = tokens.map((t, i) => parseField(t, specs[i]!));
  const [second, minute, hour, day, month, dayOfWeek] = includesSeconds
    ? parsed
    : [{ values: new Set([0]), full: false }, ...parsed];
  const fields = { second: second!, minute: minute!, hour: hour!, day: day!, month: month!, dayOfWeek: dayOfWeek! };
  return { expression, includesSeconds, fields, next: (afterMs) => nextOccurrence(fields, afterMs) };
}

// NCrontab gives up after DateTime's last year; 400 years cover every leap-year/weekday cycle.
const SEARCH_YEARS = 400;

function nextOccurrence(f: CronExpression["fields"], afterMs: number): number | null {
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  const lastYear = new Date(afterMs).getUTCFullYear() + SEARCH_YEARS;
  for (;;) {
    const d = new Date(t);
    const [y, mo, day, h, mi, s] = [
      d.getUTCFullYear(),
      d.getUTCMonth(),
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ];
    if (y > lastYear) return null;
    if (!f.month.values.has(mo + 1)) t = Date.UTC(y, mo + 1, 1);
    else if (!f.day.values.has(day) || !f.dayOfWeek.values.has(d.getUTCDay())) t = Date.UTC(y, mo, day + 1);
    else if (!f.hour.values.has(h)) t = Date.UTC(y, mo, day, h + 1);
    else if (!f.minute.values.has(mi)) t = Date.UTC(y, mo, day, h, mi + 1);
    else if (!f.second.values.has(s)) t += 1000;
    else return t;
  }
}
