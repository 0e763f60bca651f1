// ARM errors are classified once, in the adapters: permanent answers become ArmRefusal, the rest is
// rethrown for the durable retry policy (412 included: it means "read again and decide anew").
import assert from "node:assert/strict";
import { test } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { ArmRefusal, armCall } from "../../src/azure/errors";

const fail = (statusCode: number, code: string) => () =>
  Promise.reject(new RestError(`${code} happened\nsecond line`, { statusCode, code }));

test("403, 404, 409, 400 and 422 are permanent: an ArmRefusal naming the operation, the status and the code", async () => {
  for (const [status, code] of [
    [403, "AuthorizationFailed"],
    [404, "ResourceNotFound"],
    [409, "Conflict"],
    [400, "InvalidParameterValue"],
    [422, "Unprocessable"],
  ] as const) {
    await assert.rejects(armCall("read the server pg-1", fail(status, code)), (e: unknown) => {
      assert.ok(e instanceof ArmRefusal, `HTTP ${status} must be a refusal`);
      assert.equal(e.code, code);
      assert.equal(e.status, status);
      assert.equal(e.message, `ARM refused to read the server pg-1 (HTTP ${status} ${code}): ${code} happened`);
      return true;
    });
  }
});

test("408, 412, 429, 5xx and network errors are rethrown unchanged, to be retried", async () => {
  for (const status of [408, 412, 429, 500, 503]) {
    await assert.rejects(
      armCall("x", fail(status, "Whatever")),
      (e: unknown) => e instanceof RestError && e.statusCode === status,
    );
  }
  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  await assert.rejects(
    armCall("x", () => Promise.reject(reset)),
    (e: unknown) => e === reset,
  );
});
