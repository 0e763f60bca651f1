// Secrets never reach the audit or logs: values under secret-looking keys are replaced, and strings that
// look like tokens, passwords or keys are masked wherever they appear.
const MASK = "[redacted]";

// ---- keys -------------------------------------------------------------------------------------------
// A key is split into words (camelCase, snake_case, kebab-case, digits), and judged by whole words, so
// "probePassword", "client_secret" and "x-functions-key" are secret while "passive", "bypassCache" and
// "tokenizer" are not (matching substrings redacted those, and missed nothing this does not catch).

/** Words that make a key secret wherever they appear in it (password, passwd, secret, token: SECRET_SUFFIX). */
const SECRET_WORDS = new Set([
  "pwd",
  "pass",
  "passphrase",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "sas",
  "apikey",
  "accountkey",
  "connectionstring",
]);
/** Run-together words ending in one of these are secret too (PGPASSWORD, adminpassword, apptoken). */
const SECRET_SUFFIX = /(?:password|passwd|secret|token)s?$/;
/** Word sequences that make a key secret ("accountKey", "connection_string", "SharedAccessSignature"). */
const SECRET_PHRASES = [
  ["connection", "string"],
  ["shared", "access", "signature"],
  ["private", "key"],
];
/** Keys whose last word is "key" hold one (apiKey, x-functions-key, masterKey, SharedAccessKey)… */
const KEY_WORDS = new Set(["key", "keys"]);
/** …except these, which are Table Storage identifiers, not credentials. */
const IDENTIFIER_KEYS = new Set(["partition key", "row key"]);
/** A last word that says the value names or describes a secret rather than holding it. */
const DESCRIBES = new Set(["name", "names", "setting", "settings", "type", "kind"]);
/** Short keys that hold secrets only when they are the whole key ("sig" of a SAS, "code" of a function URL). */
const SECRET_WHOLE_KEYS = new Set(["sig", "code"]);

export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2") // camelCase → camel Case
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2") // XMLHttp → XML Http
    .replace(/(?<=[a-zA-Z])(?=[0-9])|(?<=[0-9])(?=[a-zA-Z])/g, " ") // password2 → password 2
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (words.length === 1 && SECRET_WHOLE_KEYS.has(last)) return true;
  if (words.length > 1 && DESCRIBES.has(last)) return false;
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_SUFFIX.test(w))) return true;
  if (SECRET_PHRASES.some((p) => containsRun(words, p))) return true;
  return KEY_WORDS.has(last) && !IDENTIFIER_KEYS.has(words.join(" "));
}

function containsRun(words: string[], run: string[]): boolean {
  for (let i = 0; i + run.length <= words.length; i++) if (run.every((w, j) => words[i + j] === w)) return true;
  return false;
}

// A refusal's or an error's "code" (PreconditionFailed, ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID, 28P01, 412)
// is what the audit is for; a function key under "code" looks nothing like that and stays masked.
// A one-letter word may stand before another word (ARecordMismatch, NotAReplica).
const ERROR_CODE = /^(?:(?:[A-Z](?=[A-Z][a-z])|[A-Z][a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*|[0-9A-Z]{5})$/;
const isErrorCode = (v: unknown) =>
  Number.isInteger(v) || (typeof v === "string" && v.length <= 64 && ERROR_CODE.test(v));

// ---- values -----------------------------------------------------------------------------------------
const QUOTED_OR_BARE = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^;&\s'"]+`;
const TEXT_KEYS = String.raw`password|passwd|pwd|pass|client_secret|clientsecret|secret|accountkey|sharedaccesskey|sharedaccesssignature|access_token|refresh_token|id_token|token|api[_-]?key|x-functions-key|authorization`;
/** Run-together keys that end in a secret word (PGPASSWORD, ADMIN_PASSWORD, apptoken), as SECRET_SUFFIX. */
const SUFFIXED_KEYS = String.raw`[A-Za-z0-9_]+(?:password|passwd|secret|token)`;
/** Keys whose "key: value" form is a secret's (a "token: expired" in prose is not worth masking). */
const COLON_KEYS = String.raw`password|passwd|pwd|passphrase|client_secret|clientsecret|[A-Za-z0-9_]+password`;

/** Each rule masks one shape of secret inside free text. Order matters: URL and JWT before key=value. */
const TEXT_RULES: [RegExp, (...m: string[]) => string][] = [
  // Authorization: <scheme> <credentials>, any scheme and any case: the credentials, whatever they look like.
  [
    /\b(authorization\s*:\s*)(?:([A-Za-z][A-Za-z0-9-]*)\s+)?([^\s,;"']+)/gi,
    (_, p, scheme) => (scheme ? `${p}${scheme} ${MASK}` : `${p}${MASK}`),
  ],
  // Bearer <token>
  [/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, (_, p) => `${p}${MASK}`],
  // Basic base64(user:password), any case — only when it decodes to user:password, so "Basic tier" stays.
  [
    /\b(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi,
    (m, p, b64) => (Buffer.from(b64, "base64").toString("latin1").includes(":") ? `${p}${MASK}` : m),
  ],
  // A bare JWT (header.payload.signature; the header always starts {" → eyJ).
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, () => MASK],
  // scheme://user:password@host (postgres://, postgresql://, https://, …): the password only, up to the last
  // "@" of the URL, so a password holding "/", "#", "?" or "@" is masked whole.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'<>]*:)([^\s"'<>]*)@/gi, maskUserinfo],
  // key=value and key = 'quoted value' (connection strings, libpq keywords, form bodies, query strings);
  // run-together keys ending in a secret word count too (PGPASSWORD=, ADMIN_PASSWORD=, apptoken=).
  [
    new RegExp(String.raw`(?<![A-Za-z0-9_-])((?:${TEXT_KEYS}|${SUFFIXED_KEYS})\s*=\s*)(${QUOTED_OR_BARE})`, "gi"),
    (_, p, v) => p + quoteLike(v, MASK),
  ],
  // "key": "value" (JSON inside a message).
  [
    new RegExp(
      String.raw`(["'](?:${TEXT_KEYS}|${SUFFIXED_KEYS})["']\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')`,
      "gi",
    ),
    (_, p, v) => p + quoteLike(v, MASK),
  ],
  // Password: value (a header or a prompt's echo); a quoted value whole.
  [
    new RegExp(
      String.raw`(?<![A-Za-z0-9_-])((?:${COLON_KEYS})\s*:[ \t]*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;"']+)`,
      "gi",
    ),
    (_, p, v) => p + quoteLike(v, MASK),
  ],
  // x-functions-key: <key> (a header line)
  [/\b((?:x-functions-key|ocp-apim-subscription-key)\s*:\s*)[^\s"',;]+/gi, (_, p) => `${p}${MASK}`],
  // ?code=<function key>, &sig=<SAS signature>, also HTML-escaped (&amp;code=) and URL-encoded (%3Fcode%3D…).
  [/((?:[?&;]|%3F|%26)(?:code|sig)(?:=|%3D))(?:(?!%26)[^&\s"'<>])+/gi, (_, p) => `${p}${MASK}`],
];

/**
 * The password of a URL's userinfo, unless what follows the ":" is a port (host:5432/path?x=a@b). Digits right
 * before the "@" are a password (postgres://app:12345@db), not a port: a port never ends at an "@".
 */
function maskUserinfo(m: string, prefix: string, password: string): string {
  if (/^\d{1,5}[/?#]/.test(password)) return m;
  return `${prefix}${MASK}@`;
}

function quoteLike(original: string, replacement: string): string {
  const q = original[0];
  return q === "'" || q === '"' ? `${q}${replacement}${q}` : replacement;
}

export function maskString(s: string): string {
  return TEXT_RULES.reduce((text, [re, fn]) => text.replace(re, fn as (m: string, ...g: string[]) => string), s);
}

// ---- walk -------------------------------------------------------------------------------------------
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(v: unknown, depth: number): unknown {
  if (depth > 20) return "[too deep]";
  if (typeof v === "string") return maskString(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = hides(k, x) ? MASK : walk(x, depth + 1);
    return out;
  }
  return v;
}

function hides(key: string, value: unknown): boolean {
  if (!isSecretKey(key)) return false;
  return !(key.toLowerCase() === "code" && isErrorCode(value));
}
