// Renders the README's configuration reference from src/config: the refusals and app settings
// (reference.ts) and one row per pair field from the pair schema's JSON Schema (types, ranges, defaults and
// each field's .describe()). `npm run docs:settings` writes it between the markers; the unit test compares.
import { z } from "zod";
import { pairSchema } from "../../src/config/pair-schema";
import { APP_SETTINGS, EXAMPLE_PAIR, PROBE_PASSWORD_ROW, REFUSALS } from "../../src/config/reference";

export const BEGIN = "<!-- settings:begin -->";
export const END = "<!-- settings:end -->";

interface Json {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Json[];
  oneOf?: Json[];
  properties?: Record<string, Json>;
  required?: string[];
  prefixItems?: Json[];
  minimum?: number;
  maximum?: number;
}

interface Row {
  field: string;
  values: string;
  default: string;
  meaning: string;
}

const code = (v: unknown) => `\`${JSON.stringify(v)}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|");

function values(s: Json): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(" | ");
  if (s.anyOf) return s.anyOf.map(values).join(" or ");
  if (s.type === "integer" || s.type === "number") {
    const unbounded = s.maximum === undefined || s.maximum >= Number.MAX_SAFE_INTEGER;
    const range = unbounded ? ` ≥ ${s.minimum ?? "-∞"}` : ` ${s.minimum ?? "-∞"}–${s.maximum}`;
    return `${s.type}${range}`;
  }
  if (s.type === "array" && s.prefixItems) return `${s.prefixItems.length} entries`;
  return s.type ?? "any";
}

function leaf(field: string, s: Json, required: string): Row {
  if (!s.description)
    throw new Error(`${field} has no description: add .describe() to it in src/config/pair-schema.ts`);
  const dflt = s.default !== undefined ? code(s.default) : required;
  return { field: `\`${field}\``, values: values(s), default: dflt, meaning: s.description };
}

/** The members of a union of objects as one object: each field once, required where every member needs it. */
function merged(options: Json[]): { properties: Record<string, Json>; requiredIn: Record<string, string> } {
  const discriminator = Object.keys(options[0]?.properties ?? {}).find((k) =>
    options.every((o) => o.properties?.[k]?.const !== undefined),
  );
  const properties: Record<string, Json> = {};
  const requiredIn: Record<string, string> = {};
  for (const key of new Set(options.flatMap((o) => Object.keys(o.properties ?? {})))) {
    const having = options.filter((o) => o.properties?.[key]);
    const schemas = having.map((o) => o.properties![key]!);
    const consts = schemas.filter((x) => x.const !== undefined);
    // The discriminator: one constant per member, shown as the choice between them.
    const { const: _one, ...first } = schemas[0]!;
    properties[key] =
      consts.length === schemas.length && consts.length > 1
        ? { ...first, enum: consts.map((x) => x.const), ...withDefault(schemas) }
        : schemas[0]!;
    const requiring = having.filter((o) => o.required?.includes(key));
    if (requiring.length === options.length) requiredIn[key] = "required";
    else if (requiring.length && discriminator)
      requiredIn[key] =
        `required with ${requiring.map((o) => `${discriminator} ${code(o.properties![discriminator]!.const)}`).join(", ")}`;
    else requiredIn[key] = "–";
  }
  return { properties, requiredIn };
}

const withDefault = (schemas: Json[]) => {
  const d = schemas.find((x) => x.default !== undefined);
  return d ? { default: d.default } : {};
};

function rows(s: Json, path: string, required: string, out: Row[]): void {
  if (s.oneOf) {
    const m = merged(s.oneOf);
    for (const [k, v] of Object.entries(m.properties)) rows(v, `${path}.${k}`, m.requiredIn[k] ?? "–", out);
    return;
  }
  if (s.type === "object" && s.properties) {
    for (const [k, v] of Object.entries(s.properties))
      rows(v, path ? `${path}.${k}` : k, s.required?.includes(k) ? "required" : "–", out);
    return;
  }
  if (s.type === "array" && s.prefixItems?.[0]) {
    out.push(leaf(path, s, required));
    rows(s.prefixItems[0], `${path}[]`, "required", out);
    return;
  }
  out.push(leaf(path, s, required));
}

/** One row per field of a pair, in schema order. */
export function pairFieldRows(): Row[] {
  const out: Row[] = [];
  rows(z.toJSONSchema(pairSchema, { io: "input" }) as Json, "", "required", out);
  return out;
}

const table = (head: string[], body: string[][]) =>
  [head, head.map(() => "---"), ...body].map((r) => `| ${r.map(cell).join(" | ")} |`).join("\n");

/** The text between the markers. */
export function renderSettingsReference(): string {
  const settings = APP_SETTINGS.map((s) => [`\`${s.name}\``, s.meaning, s.default]);
  settings.push([PROBE_PASSWORD_ROW.name, PROBE_PASSWORD_ROW.meaning, PROBE_PASSWORD_ROW.default]);
  const fields = pairFieldRows().map((r) => [r.field, r.values, r.default, r.meaning]);
  return [
    "<!-- generated by `npm run docs:settings` from src/config (reference.ts, pair-schema.ts): edit there -->",
    "",
    "Every setting is validated at start-up; a bad one stops the app with a message naming the setting and,",
    "inside `PGFLEX_PAIRS`, the JSON path (`PGFLEX_PAIRS[0].servers[1].resourceId: must be a Flexible Server",
    "ARM id …`). Unknown fields are refused, never ignored. So is configuration that can only end badly:",
    "",
    ...REFUSALS.map((r) => `- ${r}`),
    "",
    table(["setting", "meaning", "default"], settings),
    "",
    "A pair's fields (`servers[]` applies to both entries):",
    "",
    table(["field", "values", "default", "meaning"], fields),
    "",
    "A pair with only the fields that have no default:",
    "",
    "```json",
    JSON.stringify(EXAMPLE_PAIR, null, 2),
    "```",
  ].join("\n");
}

/** The README with the text between the markers replaced. */
export function withSettingsReference(readme: string, rendered = renderSettingsReference()): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md needs ${BEGIN} … ${END} around the reference`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${rendered}\n${readme.slice(end)}`;
}
