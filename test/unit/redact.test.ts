import assert from "node:assert/strict";
import { test } from "node:test";
import { isSecretKey, keyWords, maskString, redact } from "../../src/audit/redact";

test("secret-looking keys and embedded secrets never reach the audit", () => {
  const out = JSON.stringify(
    redact({
      password: "hunter2",
      nested: { PGFLEX_STATIC_TOKEN: "tok", accessToken: "tok2", etag: "keep-me" },
      url: "https://x/api?code=FUNCKEY&x=1",
      header: "Bearer eyJabc.def",
      cs: "DefaultEndpointsProtocol=http;AccountName=a;AccountKey=SECRETKEY==;",
    }),
  );
  for (const secret of ["hunter2", "tok", "FUNCKEY", "eyJabc", "SECRETKEY"])
    assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes("keep-me"));
});

test("key words split on camelCase, snake_case, kebab-case and digits", () => {
  assert.deepEqual(keyWords("probePassword"), ["probe", "password"]);
  assert.deepEqual(keyWords("PGFLEX_STATIC_TOKEN"), ["pgflex", "static", "token"]);
  assert.deepEqual(keyWords("x-functions-key"), ["x", "functions", "key"]);
  assert.deepEqual(keyWords("XMLHttpRequest"), ["xml", "http", "request"]);
  assert.deepEqual(keyWords("password2"), ["password", "2"]);
});

// [key, secret?]
const keyCases: [string, boolean][] = [
  ["password", true],
  ["probePassword", true],
  ["PGPASSWORD", true],
  ["adminpassword", true],
  ["db_pass", true],
  ["pwd", true],
  ["client_secret", true],
  ["clientSecret", true],
  ["PGFLEX_STATIC_TOKEN", true],
  ["accessToken", true],
  ["refresh_token", true],
  ["Authorization", true],
  ["authorization", true],
  ["Set-Cookie", true],
  ["x-functions-key", true],
  ["X-Functions-Key", true],
  ["Ocp-Apim-Subscription-Key", true],
  ["apiKey", true],
  ["api_key", true],
  ["apikey", true],
  ["AccountKey", true],
  ["SharedAccessKey", true],
  ["SharedAccessSignature", true],
  ["sas", true],
  ["sasToken", true],
  ["sig", true],
  ["code", true],
  ["connectionString", true],
  ["AzureWebJobsStorage__connectionString", true],
  ["private_key", true],
  ["masterKey", true],
  ["key", true],
  ["credentials", true],
  // harmless: matched by substring before
  ["passive", false],
  ["bypassCache", false],
  ["tokenizer", false],
  ["compass", false],
  ["passed", false],
  ["etag", false],
  ["errorCode", false],
  ["statusCode", false],
  ["signatureAlgorithm", false],
  ["keyVaultUri", false],
  ["auth", false], // probe.auth is "entra" or "password": a mode, not a secret
  // names and descriptions of secrets, not the secrets
  ["passwordSetting", false],
  ["SharedAccessKeyName", false],
  ["tokenType", false],
  ["secretName", false],
  ["partitionKey", false],
  ["rowKey", false],
];

for (const [key, secret] of keyCases) {
  test(`key "${key}" is ${secret ? "secret" : "kept"}`, () => {
    assert.equal(isSecretKey(key), secret);
    const out = redact({ [key]: "VALUE-123" }) as Record<string, unknown>;
    assert.equal(out[key], secret ? "[redacted]" : "VALUE-123");
  });
}

test('a "code" that is an error code is kept; anything else under "code" is masked', () => {
  for (const code of [
    "PreconditionFailed",
    "InvalidReplicaState",
    "ECONNRESET",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "28P01",
    412,
  ])
    assert.equal((redact({ code }) as { code: unknown }).code, code, String(code));
  for (const code of ["x9fQ2-lK0aZ8_pP3yT1wV7bN6mC4dE5fG0hJ2kL9qR==", "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", "hunter2"])
    assert.equal((redact({ code }) as { code: unknown }).code, "[redacted]", code);
});

// [what, text, secrets that must be gone, text that must stay]
const textCases: [string, string, string[], string[]][] = [
  [
    "bare JWT",
    "token was eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl in the log",
    ["eyJhbGci", "c2lnbmF0dXJl"],
    ["token was", "in the log"],
  ],
  ["JWT without signature", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", ["eyJzdWIi"], []],
  ["Bearer header", "Authorization: Bearer abc.def-ghi", ["abc.def-ghi"], ["Authorization: Bearer"]],
  [
    "postgres URL",
    "connect postgres://app:s3cr3t@pg-eus.postgres.database.azure.com:5432/db failed",
    ["s3cr3t"],
    ["postgres://app:", "@pg-eus.postgres.database.azure.com:5432/db failed"],
  ],
  [
    "postgresql URL with @ in the password",
    "postgresql://app:p@ss:w0rd@host/db",
    ["p@ss", "w0rd"],
    ["postgresql://app:", "@host/db"],
  ],
  ["https URL with userinfo", "https://user:pw123@example.com/x", ["pw123"], ["@example.com/x"]],
  [
    "libpq single-quoted password with spaces",
    "host=x password='a b c' user=app",
    ["a b c"],
    ["host=x", "user=app", "password='[redacted]'"],
  ],
  [
    "double-quoted password",
    'password="correct horse battery" sslmode=verify-ca',
    ["correct horse"],
    ["sslmode=verify-ca"],
  ],
  ["password with spaces around =", "password = hunter2 port=5432", ["hunter2"], ["port=5432"]],
  [
    "Password= in a connection string",
    "Server=x;Password=Hunter2!;Database=y",
    ["Hunter2!"],
    ["Server=x;", "Database=y"],
  ],
  [
    "storage AccountKey",
    "AccountName=a;AccountKey=Zm9vYmFy+/==;EndpointSuffix=core.windows.net",
    ["Zm9vYmFy"],
    ["AccountName=a", "EndpointSuffix"],
  ],
  [
    "Service Bus SharedAccessKey",
    "Endpoint=sb://x/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=S3CRETKEY=",
    ["S3CRETKEY"],
    ["SharedAccessKeyName=RootManageSharedAccessKey"],
  ],
  ["SharedAccessSignature", "SharedAccessSignature=sv=2020&sig=abc", ["sv=2020", "abc"], []],
  [
    "client_secret in a form body",
    "grant_type=client_credentials&client_id=app&client_secret=Sup3r~Secret&scope=x",
    ["Sup3r~Secret"],
    ["client_id=app", "scope=x"],
  ],
  ["access_token in a query", "https://x/cb?access_token=opaque123&state=1", ["opaque123"], ["state=1"]],
  ["Basic auth", "Authorization: Basic YWxpY2U6aHVudGVyMg==", ["YWxpY2U6aHVudGVyMg"], ["Basic [redacted]"]],
  ["x-functions-key header", "x-functions-key: abcDEF123456==", ["abcDEF123456"], ["x-functions-key:"]],
  ["function key in a URL", "GET /api/failovers?code=FUNCKEY123&x=1", ["FUNCKEY123"], ["&x=1"]],
  ["SAS sig in a URL", "https://a.table.core.windows.net/t?sv=2020&sig=SIG%2Fxyz&se=1", ["SIG%2Fxyz"], ["se=1"]],
  ["JSON password in a message", 'body {"user":"app","password":"p w d"}', ["p w d"], ['"user":"app"']],
  // Issue 18 item 11: each of these leaked before.
  ["lower-case basic auth", "authorization: basic YWxpY2U6aHVudGVyMg==", ["YWxpY2U6aHVudGVyMg"], ["basic [redacted]"]],
  ["upper-case BASIC auth", "AUTHORIZATION: BASIC YWxpY2U6aHVudGVyMg==", ["YWxpY2U6aHVudGVyMg"], ["BASIC [redacted]"]],
  [
    "Authorization header whose credentials do not decode to user:password",
    "Authorization: Basic c2VjcmV0dmFsdWU=",
    ["c2VjcmV0dmFsdWU"],
    ["Authorization: Basic [redacted]"],
  ],
  ["Authorization header of another scheme", "authorization: Digest opaque-s3cret", ["opaque-s3cret"], []],
  ["PGPASSWORD in an environment line", "PGPASSWORD=hunter2 psql -h pg-eus", ["hunter2"], ["psql -h pg-eus"]],
  ["ADMIN_PASSWORD quoted", "export ADMIN_PASSWORD='s3 cr3t'", ["s3 cr3t"], ["export ADMIN_PASSWORD="]],
  [
    "URL password with a slash",
    "postgres://app:pa/ss@pg-eus.example:5432/db",
    ["pa/ss", "ss@"],
    ["postgres://app:", "@pg-eus.example:5432/db"],
  ],
  ["URL password with a hash", "postgresql://app:pa#ss@host/db failed", ["pa#ss", "ss@"], ["@host/db failed"]],
  [
    "HTML-escaped function key",
    '<a href="https://app/api/alerts?x=1&amp;code=FUNCKEY123&amp;y=2">',
    ["FUNCKEY123"],
    ["&amp;y=2"],
  ],
  [
    "URL-encoded function key",
    "redirect=https%3A%2F%2Fapp%2Fapi%2Falerts%3Fcode%3DFUNCKEY123%26x%3D1",
    ["FUNCKEY123"],
    ["%26x%3D1"],
  ],
  ["Password: in a message", "login failed; Password: hunter2 was rejected", ["hunter2"], ["was rejected"]],
  ["password: quoted", 'password: "correct horse" rejected', ["correct horse"], ["rejected"]],
];

for (const [what, text, secrets, kept] of textCases) {
  test(`masked in text: ${what}`, () => {
    const out = maskString(text);
    for (const s of secrets) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
    for (const k of kept) assert.ok(out.includes(k), `${k} lost: ${out}`);
  });
}

const harmless = [
  "passive standby; bypassCache=true; tokenizer=icu",
  "pg-eus → pg-wus: writable, verify-ca OK, verify-full refused",
  "Basic tier servers are not supported",
  "https://management.azure.com/subscriptions/x?api-version=2024-08-01",
  "postgres://app@host/db (no password in it)",
  "PreconditionFailed: the record changed (etag 3 → 4)",
  "errorCode=ECONNRESET after 3 attempts",
  "eyes on the dashboard; key rotation due",
  "the token bucket is empty",
  "passwordSetting=PROD_PROBE_PASSWORD",
  "passwordSetting: PROD_PROBE_PASSWORD",
  'password authentication failed for user "app" (28P01)',
  "https://pg-eus.example:5432/db?application_name=pgflex",
  "postgres://pg-eus.example:5432/postgres",
  "tokens=5 max_tokens=10",
];
for (const text of harmless) {
  test(`harmless text is untouched: ${text}`, () => {
    assert.equal(maskString(text), text);
  });
}
