// Secrets never reach the audit or logs: values under secret-looking keys are replaced, and strings that
// look like bearer tokens or connection-string keys are masked wherever they appear.
const SECRET_KEY =
  /pass(word)?|secret|token|credential|authorization|connectionstring|accountkey|sig$|^code$|^key$|apikey|functionkey|masterkey/i;

export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(v: unknown, depth: number): unknown {
  if (depth > 20) return "[too deep]";
  if (typeof v === "string") return maskString(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : walk(x, depth + 1);
    return out;
  }
  return v;
}

function maskString(s: string): string {
  return s
    .replace(/(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, "$1[redacted]")
    .replace(/((?:AccountKey|SharedAccessSignature|password|pwd)=)[^;&\s]+/gi, "$1[redacted]")
    .replace(/([?&](?:code|sig)=)[^&\s]+/gi, "$1[redacted]");
}
