// The API's request bodies (src/http/responses.ts readJsonBody): JSON only — 415 otherwise, so a form posted
// from another site cannot ride a browser session — at most 16 KiB (413, whether declared or only sent), and 400
// naming `body` when it is not JSON. Each refusal names the field at fault.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_BODY_BYTES, readJsonBody } from "../../src/http/responses";

type Req = Parameters<typeof readJsonBody>[0];
const request = (body: string, headers: Record<string, string>) =>
  ({ headers: new Headers(headers), text: async () => body }) as unknown as Req;

const refusal = async (body: string, headers: Record<string, string>) => {
  const r = await readJsonBody(request(body, headers));
  assert.equal(r.ok, false, `accepted ${JSON.stringify(headers)}`);
  const res = !r.ok ? r.response : {};
  const b = (res as { jsonBody: { error: { code: string; field: string; message: string } } }).jsonBody.error;
  return { status: (res as { status: number }).status, code: b.code, field: b.field, message: b.message };
};

test("the API's own limit is 16 KiB", () => {
  assert.equal(MAX_BODY_BYTES, 16384);
});

test("a JSON body is parsed, whatever the case of the type and with a charset", async () => {
  for (const type of ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"]) {
    const r = await readJsonBody(request('{"pair":"prod"}', { "content-type": type }));
    assert.deepEqual(r, { ok: true, value: { pair: "prod" } }, type);
  }
});

test("not JSON by its content type: 415 naming content-type (a cross-site form cannot forge a request)", async () => {
  for (const type of [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/json-seq",
  ]) {
    const r = await refusal('{"pair":"prod"}', { "content-type": type });
    assert.deepEqual([r.status, r.code, r.field], [415, "UnsupportedMediaType", "content-type"], type);
  }
  const none = await refusal('{"pair":"prod"}', {});
  assert.deepEqual([none.status, none.field], [415, "content-type"], "no content type");
});

test("above 16 KiB: 413 naming body, whether the length is declared or only sent; exactly 16 KiB is accepted", async () => {
  const json = { "content-type": "application/json" };
  const fits = `"${"x".repeat(MAX_BODY_BYTES - 2)}"`;
  assert.equal((await readJsonBody(request(fits, json))).ok, true, "16384 bytes");
  const over = `"${"x".repeat(MAX_BODY_BYTES - 1)}"`;
  for (const [what, headers] of [
    ["declared", { ...json, "content-length": String(MAX_BODY_BYTES + 1) }],
    ["sent without a length", json],
    ["sent under a smaller declared length", { ...json, "content-length": "10" }],
  ] as const) {
    const r = await refusal(over, headers);
    assert.deepEqual([r.status, r.code, r.field], [413, "PayloadTooLarge", "body"], what);
    assert.equal(r.message, "body must be at most 16384 bytes", what);
  }
  // A declared length above the limit is refused before the body is read.
  const read: string[] = [];
  const declared = {
    headers: new Headers({ ...json, "content-length": "1000000" }),
    text: async () => (read.push("read"), "{}"),
  } as unknown as Req;
  assert.equal((await readJsonBody(declared)).ok, false);
  assert.deepEqual(read, []);
});

test("bytes, not characters: 16 KiB of multi-byte text is over the limit", async () => {
  const euros = `"${"€".repeat(MAX_BODY_BYTES / 3)}"`; // 3 bytes each: more bytes than characters
  assert.ok(euros.length <= MAX_BODY_BYTES);
  const r = await refusal(euros, { "content-type": "application/json" });
  assert.equal(r.status, 413);
});

test("a body that is not JSON: 400 naming body", async () => {
  const r = await refusal("pair=prod", { "content-type": "application/json" });
  assert.deepEqual([r.status, r.code, r.field], [400, "InvalidRequest", "body"]);
  assert.equal(r.message, "body must be a JSON object");
});

// Mutation testing (issue 23): the declared length's edge, the 415's words, and that answers are JSON.
test("a declared length of exactly 16 KiB is read; the 415 says what to send; every answer is JSON", async () => {
  const json = { "content-type": "application/json" };
  const fits = `"${"x".repeat(MAX_BODY_BYTES - 2)}"`;
  assert.equal(
    (await readJsonBody(request(fits, { ...json, "content-length": String(MAX_BODY_BYTES) }))).ok,
    true,
    "declared 16384",
  );
  const r = await refusal("{}", { "content-type": "text/plain" });
  assert.equal(r.message, "the body must be sent as content-type: application/json");
  const res = await readJsonBody(request("{}", { "content-type": "text/plain" }));
  assert.deepEqual(!res.ok && res.response.headers, { "content-type": "application/json" });
});
