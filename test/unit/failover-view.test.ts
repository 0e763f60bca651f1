// GET /api/failovers/{id} shows what the orchestration returned: its error and result.reason carry driver and
// ARM messages verbatim, which can quote a connection string or a URL with its key. None of it reaches a reader.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DurableOrchestrationStatus } from "durable-functions";
import { failoverView } from "../../src/app/failover-view";

const SECRETS = ["hunter2", "FUNCKEY123", "YWxpY2U6aHVudGVyMg", "pa/ss"];

function status(over: Partial<DurableOrchestrationStatus>): DurableOrchestrationStatus {
  return {
    name: "failover",
    instanceId: "failover-prod-1",
    createdTime: new Date(0),
    lastUpdatedTime: new Date(0),
    input: { runId: "1", pair: "prod", reason: "drill PGPASSWORD=hunter2", note: null },
    output: null,
    runtimeStatus: "Completed",
    customStatus: null,
    history: [],
    ...over,
  } as unknown as DurableOrchestrationStatus;
}

test("a failed orchestration's error is redacted", () => {
  const view = failoverView(
    status({
      runtimeStatus: "Failed" as DurableOrchestrationStatus["runtimeStatus"],
      output: "TypeError at postgres://app:pa/ss@pg-eus:5432/db (Authorization: basic YWxpY2U6aHVudGVyMg==)",
    }),
    [],
  );
  const text = JSON.stringify(view);
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  assert.match(String(view.error), /TypeError at postgres:\/\/app:\[redacted\]@pg-eus/);
});

test("result.reason, result.warnings and the request's reason are redacted; codes stay", () => {
  const view = failoverView(
    status({
      output: {
        outcome: "refused",
        code: "PromoteRefused",
        reason: "ARM said 403 for https://app/api/alerts?code=FUNCKEY123 with password: hunter2",
        warnings: ["curl -H 'authorization: basic YWxpY2U6aHVudGVyMg=='"],
        cname: { target: null, ttl: null, note: "unchanged" },
      },
    }),
    [],
  );
  const text = JSON.stringify(view);
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  const result = view.result as { code: string; reason: string };
  assert.equal(result.code, "PromoteRefused");
  assert.match(result.reason, /^ARM said 403 for https:\/\/app\/api\/alerts\?code=\[redacted\]/);
  assert.equal(view.reason, "drill PGPASSWORD=[redacted]");
});
