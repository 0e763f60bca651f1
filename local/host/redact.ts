// Keeps keys and tokens out of every log line the host writes: known key values (function, master,
// durabletask system key) and anything that looks like one (`code=` query values, the RPC base path
// segment, x-functions-key header values, bearer tokens and anything shaped like a JWT) are replaced
// before a line is written.
import { RPC_PATH } from "./client-input";
import type { Logger } from "./log";

export const REDACTED = "[redacted]";

const PATTERNS: [RegExp, string][] = [
  // ?code=… / &code=… in URLs.
  [/([?&]code=)[^&#\s"'<>]*/gi, `$1${REDACTED}`],
  // /_durabletask-rpc/<systemKey>/…: the key is a path segment there.
  [new RegExp(`(${RPC_PATH}/)[^/?#\\s"'<>]+`, "g"), `$1${REDACTED}`],
  // x-functions-key: value (header dumps, JSON of headers).
  [/(x-functions-key["']?\s*[:=]\s*["']?)[^"'\s,;}]+/gi, `$1${REDACTED}`],
  // Authorization: Bearer <token> (header dumps, error messages); tokens are long, prose words are not.
  [/(\bbearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi, `$1${REDACTED}`],
  // A JWT wherever it appears (header.payload[.signature], base64url; a JWT header starts "eyJ").
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
];

// Shorter strings would redact ordinary words; keys are always longer.
const MIN_SECRET_LENGTH = 6;

/** Replaces every secret (raw and URL-encoded) and every key-shaped fragment in `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(REDACTED);
  }
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/** A request target for log lines: the path with the RPC key redacted, without the query string. */
export function describeTarget(rawUrl: string | undefined, secrets: readonly string[] = []): string {
  return redact((rawUrl ?? "/").split("?")[0]!, secrets);
}

/** Wraps a logger so that nothing it writes carries a key; `secrets` is read at every line. */
export function redactingLogger(inner: Logger, secrets: () => readonly string[]): Logger {
  return {
    host: (m) => inner.host(redact(m, secrets())),
    hostError: (m) => inner.hostError(redact(m, secrets())),
    app: (fn, id, level, m) => inner.app(fn, id, level, redact(m, secrets())),
  };
}
