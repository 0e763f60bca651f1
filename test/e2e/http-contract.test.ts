// The HTTP promises a caller relies on, against the app under the local host: bodies above the app's own
// 16 KiB limit get 413 (declared or streamed), a form cannot approve or abort a run (415, and the run still
// waits), a dry run has its own id and never holds the pair against a real failover, and the 409 names the
// run that holds the pair (its id and runId, as its own 202 gave them).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MAX_BODY_BYTES } from "../../src/http/responses";
import { follow, requestFailover, start, waitFor, type Stack } from "./helpers";

let stack: Stack;
before(async () => {
  stack = await start();
});
after(() => stack?.stop());

const post = (
  path: string,
  token: string | undefined,
  contentType: string,
  body: string | ReadableStream,
  more: RequestInit = {},
) =>
  fetch(new URL(path, stack.host.url), {
    method: "POST",
    headers: { "content-type": contentType, authorization: `Bearer ${token}` },
    body,
    ...more,
  });

/** A JSON request body of exactly `bytes` bytes (a valid failover request padded in its reason's spaces). */
const bodyOf = (bytes: number, dryRun = false): string => {
  const head = JSON.stringify({ pair: "lab", requestedBy: "e2e", reason: "size", dryRun });
  return head.slice(0, -1) + " ".repeat(bytes - head.length) + "}";
};

test("a body above 16 KiB gets 413 naming body, by Content-Length or streamed; 16 KiB itself is read", async () => {
  assert.equal(MAX_BODY_BYTES, 16 * 1024);
  const token = stack.api.caller.token;
  const writes = () => stack.lab.requests().filter((r) => r.method !== "GET").length;
  const before = writes();
  // Exactly the limit is read and parsed: a dry run (so nothing changes) is started.
  const atLimit = bodyOf(MAX_BODY_BYTES, true);
  assert.equal(Buffer.byteLength(atLimit), MAX_BODY_BYTES);
  const ok = await post("/api/failovers", token, "application/json", atLimit);
  assert.equal(ok.status, 202, await ok.clone().text());
  await follow(stack, ((await ok.json()) as { id: string }).id);

  const declared = await post("/api/failovers", token, "application/json", bodyOf(MAX_BODY_BYTES + 1, true));
  const declaredBody = (await declared.json()) as { error: { code: string; field: string } };
  assert.deepEqual(
    [declared.status, declaredBody.error.code, declaredBody.error.field],
    [413, "PayloadTooLarge", "body"],
  );
  // Without a Content-Length (chunked), the limit is applied to what is read.
  const text = bodyOf(MAX_BODY_BYTES + 1, true);
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(text.slice(0, 8000)));
      c.enqueue(new TextEncoder().encode(text.slice(8000)));
      c.close();
    },
  });
  const chunked = await post("/api/failovers", token, "application/json", stream, { duplex: "half" } as RequestInit);
  const chunkedBody = (await chunked.json()) as { error: { code: string; field: string } };
  assert.deepEqual([chunked.status, chunkedBody.error.field], [413, "body"]);
  assert.equal(writes(), before, "no ARM write");
});

test("a form cannot approve or abort: 415 naming content-type, and the run still waits for approval", async () => {
  // Forced failovers wait for a second person by default.
  const { id } = await requestFailover(stack, { option: "Forced", dryRun: false });
  const waiting = async () =>
    (await stack.api.get<{ awaitingApproval: unknown }>(`/api/failovers/${id}`)).body.awaitingApproval
      ? true
      : undefined;
  await waitFor("the run to wait for approval", waiting);
  const forms: [string, string][] = [
    ["application/x-www-form-urlencoded", "reason=forged+by+a+form"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="reason"\r\n\r\nforged\r\n--x--\r\n',
    ],
    ["text/plain", JSON.stringify({ reason: "forged by a form" })],
  ];
  for (const [decision, caller] of [
    ["approve", stack.approver.caller.token],
    ["abort", stack.api.caller.token],
  ] as const) {
    for (const [type, body] of forms) {
      const r = await post(`/api/failovers/${id}/${decision}`, caller, type, body);
      const b = (await r.json()) as { error: { code: string; field: string } };
      assert.deepEqual(
        [r.status, b.error.code, b.error.field],
        [415, "UnsupportedMediaType", "content-type"],
        `${decision} as ${type}`,
      );
    }
  }
  assert.equal(await waiting(), true, "still waiting: no form decided it");
  // The same decision as JSON is taken (the control): alice aborts her own run.
  const abort = await stack.api.post(`/api/failovers/${id}/abort`, { reason: "end of the form test" });
  assert.equal(abort.status, 202);
  const run = await follow(stack, id);
  assert.equal(run.out.outcome, "aborted");
  assert.equal(run.out.approval?.by?.name, "Alice");
});

test("a dry run has its own id and never holds the pair; the 409 names the running failover's id and runId", async () => {
  const { lab } = stack;
  // Each run's preflight is held at its CNAME read until released, so both are surely in flight.
  const hold = lab.faults.add({ kind: "stall", method: "GET", path: "/CNAME/", times: 2 });
  const hits = () => lab.faults.list().find((f) => f.id === hold.id)?.hits ?? 2;
  try {
    const dry = await stack.api.post<{ id: string; runId: string; dryRun: boolean }>("/api/failovers", {
      pair: "lab",
      reason: "dry run beside a real one",
      dryRun: true,
    });
    assert.equal(dry.status, 202);
    assert.match(dry.body.runId, /^[0-9a-f-]{36}$/);
    assert.equal(dry.body.id, `dryrun-lab-${dry.body.runId}`);
    await waitFor("the dry run to be in its preflight", () => (hits() >= 1 ? true : undefined));

    const real = await stack.api.post<{ id: string; runId: string }>("/api/failovers", {
      pair: "lab",
      reason: "a real one while a dry run is in flight",
    });
    assert.equal(real.status, 202, `a dry run in flight does not block a real failover: ${JSON.stringify(real.body)}`);
    assert.equal(real.body.id, `failover-lab-${real.body.runId}`);
    assert.notEqual(real.body.runId, dry.body.runId);
    await waitFor("the real run to be in its preflight", () => (hits() >= 2 ? true : undefined));

    const again = await stack.api.post<{ error: { code: string; id: string; runId: string; statusUri: string } }>(
      "/api/failovers",
      { pair: "lab", reason: "a second real one" },
    );
    assert.equal(again.status, 409);
    assert.deepEqual(
      [again.body.error.code, again.body.error.id, again.body.error.runId],
      ["FailoverInProgress", real.body.id, real.body.runId],
    );
    assert.equal(new URL(again.body.error.statusUri).pathname, `/api/failovers/${real.body.id}`);
    lab.faults.clear(hold.id);
    const [dryRun, realRun] = await Promise.all([follow(stack, dry.body.id), follow(stack, real.body.id)]);
    assert.equal(dryRun.out.outcome, "dryRun");
    assert.equal(realRun.out.outcome, "succeeded", realRun.out.reason);
  } finally {
    lab.faults.clear(hold.id);
  }
});
