// ASP.NET-style route templates as used by Azure Functions HTTP triggers:
// literals, {name}, optional {name?}, constraints {name:int}, {name:alpha}, ..., catch-all {*rest}.
import { decodeSegment } from "./http-util";

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; optional: boolean; catchAll: boolean; constraints: string[] };

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Higher = more specific; used to order matching. */
  specificity: number;
  match(path: string): Record<string, string> | null;
}

const CONSTRAINTS: Record<string, (v: string, arg?: string) => boolean> = {
  int: (v) => /^-?\d+$/.test(v),
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  double: (v) => v !== "" && !Number.isNaN(Number(v)),
  float: (v) => v !== "" && !Number.isNaN(Number(v)),
  decimal: (v) => v !== "" && !Number.isNaN(Number(v)),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  minlength: (v, a) => v.length >= Number(a),
  maxlength: (v, a) => v.length <= Number(a),
  length: (v, a) => (a?.includes(",") ? inRange(v.length, a) : v.length === Number(a)),
  min: (v, a) => Number(v) >= Number(a),
  max: (v, a) => Number(v) <= Number(a),
  range: (v, a) => inRange(Number(v), a ?? ""),
  regex: (v, a) => new RegExp(a ?? "").test(v),
};

function inRange(n: number, arg: string): boolean {
  const [lo, hi] = arg.split(",").map(Number);
  return n >= (lo ?? -Infinity) && n <= (hi ?? Infinity);
}

function checkConstraint(spec: string, value: string, template: string): boolean {
  const m = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  const fn = m ? CONSTRAINTS[m[1]!.toLowerCase()] : undefined;
  if (!m || !fn) throw new Error(`Route "${template}": unknown constraint "${spec}".`);
  return fn(value, m[2]);
}

function parseSegment(raw: string, template: string): Segment {
  const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)((?::[^:}?]+(?:\([^)]*\))?)*)(\?)?\}$/.exec(raw);
  if (!m) {
    if (raw.includes("{") || raw.includes("}")) throw new Error(`Route "${template}": cannot parse segment "${raw}".`);
    return { kind: "literal", text: raw.toLowerCase() };
  }
  const constraints = m[3] ? m[3].split(":").filter(Boolean) : [];
  return { kind: "param", name: m[2]!, optional: !!m[4] || !!m[1], catchAll: !!m[1], constraints };
}

export function compileRoute(template: string): CompiledRoute {
  const clean = template.replace(/^\/+|\/+$/g, "");
  const segments = clean === "" ? [] : clean.split("/").map((s) => parseSegment(s, template));
  const specificity = segments.reduce((n, s) => n * 4 + (s.kind === "literal" ? 3 : s.catchAll ? 1 : 2), 1);
  const match = (path: string): Record<string, string> | null => {
    const parts = path
      .replace(/^\/+|\/+$/g, "")
      .split("/")
      .filter((p) => p !== "");
    const params: Record<string, string> = {};
    let i = 0;
    for (const seg of segments) {
      if (seg.kind === "literal") {
        if (parts[i]?.toLowerCase() !== seg.text) return null;
        i++;
        continue;
      }
      if (seg.catchAll) {
        const rest = parts.slice(i).map(decodeSegment).join("/");
        if (rest !== "") params[seg.name] = rest;
        i = parts.length;
        continue;
      }
      const value = parts[i];
      if (value === undefined) {
        if (seg.optional) continue;
        return null;
      }
      const decoded = decodeSegment(value);
      if (!seg.constraints.every((c) => checkConstraint(c, decoded, template))) return null;
      params[seg.name] = decoded;
      i++;
    }
    return i === parts.length ? params : null;
  };
  return { template, segments, specificity, match };
}
