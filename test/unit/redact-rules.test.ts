// Redaction rule by rule (src/audit/redact.ts): every secret word and phrase of a key, the words that say a key
// only names a secret, the whole-key short secrets, error codes kept under "code", each text shape masked, and
// the walk's depth limit. A secret that slips through any one of these reaches the audit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isSecretKey, keyWords, maskString, redact } from "../../src/audit/redact";

test("keys split into words at camelCase, acronyms, digits and separators", () => {
  assert.deepEqual(keyWords("probePassword"), ["probe", "password"]);
  assert.deepEqual(keyWords("XMLHttpRequest"), ["xml", "http", "request"]);
  assert.deepEqual(keyWords("password2"), ["password", "2"]);
  assert.deepEqual(keyWords("2fa-Token"), ["2", "fa", "token"]);
  assert.deepEqual(keyWords("x-functions-key"), ["x", "functions", "key"]);
  assert.deepEqual(keyWords("__"), []);
});

test("every secret word makes a key secret, alone or inside a longer key", () => {
  const words = [
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "authorization",
    "cookie",
    "sas",
    "apikey",
    "accountkey",
    "connectionstring",
  ];
  for (const w of words) {
    assert.equal(isSecretKey(w), true, w);
    assert.equal(isSecretKey(`my_${w}_value`), true, `my_${w}_value`);
  }
  for (const k of ["PGPASSWORD", "adminpassword", "apptokens", "clientsecret"]) assert.equal(isSecretKey(k), true, k);
  for (const k of ["connection_string", "SharedAccessSignature", "privateKey", "my private key pem"])
    assert.equal(isSecretKey(k), true, k);
  for (const k of ["apiKey", "masterKeys", "x-functions-key"]) assert.equal(isSecretKey(k), true, k);
});

test("keys that only name or describe a secret, identifiers and look-alikes are kept", () => {
  for (const k of [
    "passwordName",
    "passwordNames",
    "passwordSetting",
    "tokenSettings",
    "tokenType",
    "secretKind",
    "partitionKey",
    "rowKey",
    "passive",
    "bypassCache",
    "tokenizer",
    "keyVault",
    "stringConnection",
    "keyPrivate",
    "",
  ])
    assert.equal(isSecretKey(k), false, k);
  assert.equal(isSecretKey("password"), true, "one word that is also a describing word's neighbour stays secret");
});

test("sig and code are secret only as the whole key; an error code under code is kept, a function key is not", () => {
  assert.equal(isSecretKey("sig"), true);
  assert.equal(isSecretKey("code"), true);
  assert.equal(isSecretKey("sigma"), false);
  assert.equal(isSecretKey("errorCode"), false);
  assert.equal(isSecretKey("zip code"), false);
  const kept = ["PreconditionFailed", "ECONNRESET", "ERR_TLS_CERT_ALTNAME_INVALID", "28P01", "ARecordMismatch", 412];
  for (const code of kept) assert.deepEqual(redact({ code }), { code }, String(code));
  const fnKey = "aBcD-eFgH_1234567890abcdefghijklmnopqrstuvwxyz==";
  assert.deepEqual(redact({ code: fnKey }), { code: "[redacted]" });
  assert.deepEqual(redact({ code: 1.5 }), { code: "[redacted]" }, "not an integer");
  assert.deepEqual(redact({ code: "A".repeat(65) }), { code: "[redacted]" }, "longer than a code");
  assert.deepEqual(redact({ code: "A".repeat(64) }), { code: "A".repeat(64) });
  assert.deepEqual(redact({ Code: "PreconditionFailed" }), { Code: "PreconditionFailed" }, "any case of the key");
  assert.deepEqual(redact({ sig: "PreconditionFailed" }), { sig: "[redacted]" }, "only code keeps codes");
});

test("Authorization in text: the credentials masked after any scheme, or alone; masked once", () => {
  assert.equal(maskString("Authorization: Bearer abc.def"), "Authorization: Bearer [redacted]");
  assert.equal(maskString("authorization:Negotiate YIIabc"), "authorization:Negotiate [redacted]");
  assert.equal(maskString("Authorization: abc123"), "Authorization: [redacted]");
  assert.equal(maskString("Authorization: [redacted]"), "Authorization: [redacted]");
});

test("Bearer tokens, Basic credentials (only when they decode to user:password), bare JWTs", () => {
  assert.equal(maskString("sent bearer eyX-._~+/abc== to it"), "sent bearer [redacted] to it");
  const basic = Buffer.from("alice:pw").toString("base64");
  assert.equal(maskString(`Basic ${basic}`), "Basic [redacted]");
  assert.equal(maskString(`basic ${basic}!`), "basic [redacted]!");
  assert.equal(maskString("Basic tier"), "Basic tier", "not base64 of user:password");
  assert.equal(
    maskString(`Basic ${Buffer.from("nocolon").toString("base64")}`),
    `Basic ${Buffer.from("nocolon").toString("base64")}`,
  );
  assert.equal(maskString("a eyJhbGciOi.eyJzdWIi.sig_-1 b"), "a [redacted] b");
});

test("URL passwords up to the last @, but a port is not a password", () => {
  assert.equal(maskString("postgres://app:p@ss/w#rd@db:5432/x"), "postgres://app:[redacted]@db:5432/x");
  assert.equal(maskString("https://host:443/path?x=a@b"), "https://host:443/path?x=a@b");
  assert.equal(maskString("https://host:8443?q=a@b"), "https://host:8443?q=a@b");
});

test("key=value, quoted values whole, JSON in a message, colon forms, header keys, code= and sig= in URLs", () => {
  assert.equal(maskString("host=db password='a b;c' user=x"), "host=db password='[redacted]' user=x");
  assert.equal(maskString('PGPASSWORD="x y" psql'), 'PGPASSWORD="[redacted]" psql');
  assert.equal(maskString("api-key=abc&x=1"), "api-key=[redacted]&x=1");
  assert.equal(maskString('{"client_secret": "s3"}'), '{"client_secret": "[redacted]"}');
  assert.equal(maskString("{'token': 'abc'}"), "{'token': '[redacted]'}");
  assert.equal(maskString("Password: hunter2, next"), "Password: [redacted], next");
  assert.equal(maskString('adminpassword: "a b"'), 'adminpassword: "[redacted]"');
  assert.equal(maskString("token: expired"), "token: expired", "prose about a token is not a secret's form");
  assert.equal(maskString("x-functions-key: abc123"), "x-functions-key: [redacted]");
  assert.equal(maskString("Ocp-Apim-Subscription-Key:abc"), "Ocp-Apim-Subscription-Key:[redacted]");
  assert.equal(maskString("/api/x?code=abc&sig=def&ok=1"), "/api/x?code=[redacted]&sig=[redacted]&ok=1");
  assert.equal(maskString("x%3Fcode%3Dabc%26ok"), "x%3Fcode%3D[redacted]%26ok");
  assert.equal(maskString("mypassword=abc"), "mypassword=[redacted]");
  assert.equal(maskString("no_password=abc"), "no_password=[redacted]");
  assert.equal(maskString("xpassword = abc"), "xpassword = [redacted]");
});

test("the walk: nested objects and arrays are masked, other values kept, and it stops at depth 20", () => {
  assert.deepEqual(redact({ a: [{ password: "x" }, "Bearer t", 3, null, true] }), {
    a: [{ password: "[redacted]" }, "Bearer [redacted]", 3, null, true],
  });
  let deep: unknown = "Bearer t";
  for (let i = 0; i < 25; i++) deep = { d: deep };
  let v = redact(deep) as unknown;
  let depth = 0;
  while (v && typeof v === "object") {
    v = (v as { d: unknown }).d;
    depth++;
  }
  assert.deepEqual([depth, v], [21, "[too deep]"]);
  let shallow: unknown = "Bearer t";
  for (let i = 0; i < 20; i++) shallow = [shallow];
  let w = redact(shallow) as unknown;
  while (Array.isArray(w)) w = w[0];
  assert.equal(w, "Bearer [redacted]", "20 levels are walked");
});

// Mutation testing (issue 23): the rules' edges; the first one leaked before (a short numeric URL password).
test("edges: a numeric URL password, blanks after a scheme, unpadded Basic, every occurrence in any case, code as a list", () => {
  assert.equal(maskString("postgres://app:12345@db/x"), "postgres://app:[redacted]@db/x");
  assert.equal(maskString("postgres://app:2024@db"), "postgres://app:[redacted]@db");
  assert.equal(maskString("Authorization: Bearer  abc.def"), "Authorization: Bearer [redacted]");
  assert.equal(maskString("Authorization: Basic abc"), "Authorization: Basic [redacted]");
  assert.equal(maskString("sent Bearer \t abc.def"), "sent Bearer \t [redacted]");
  const basic = Buffer.from("user:pass").toString("base64");
  assert.equal(basic.endsWith("="), false, "no padding in this one");
  assert.equal(maskString(`Basic  ${basic}`), "Basic  [redacted]");
  assert.equal(
    maskString("password=a; PASSWORD=b; Password=c"),
    "password=[redacted]; PASSWORD=[redacted]; Password=[redacted]",
  );
  assert.equal(maskString("x-functions-key : abc123"), "x-functions-key : [redacted]");
  assert.deepEqual(redact({ code: ["PreconditionFailed"] }), { code: "[redacted]" }, "only a code itself is kept");
  for (const key of [
    "password",
    "passwords",
    "passwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "db_password",
    "idTokens",
  ])
    assert.equal(isSecretKey(key), true, key);
});

test("the walk stops at depth 20 in arrays too", () => {
  let deep: unknown = "Bearer t";
  for (let i = 0; i < 25; i++) deep = [deep];
  let v = redact(deep) as unknown;
  let depth = 0;
  while (Array.isArray(v)) {
    v = v[0];
    depth++;
  }
  assert.deepEqual([depth, v], [21, "[too deep]"]);
});

test("digits inside a URL password are no port: only digits right after the colon, then a path, are", () => {
  assert.equal(maskString("postgres://app:se12/cret@db/x"), "postgres://app:[redacted]@db/x");
  assert.equal(maskString("https://host:443/a?b=c@d"), "https://host:443/a?b=c@d");
});

test("JSON keys inside a message are masked in any case, every one of them", () => {
  assert.equal(
    maskString(`body {"PASSWORD": "one", "x": 1, "Secret": "two"}`),
    `body {"PASSWORD": "[redacted]", "x": 1, "Secret": "[redacted]"}`,
  );
});
