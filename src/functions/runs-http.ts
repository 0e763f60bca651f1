// GET /api/pairs/{pair}/runs: a pair's recent runs from the audit journal, newest first (Failover.Read):
// who asked, why, and how each ended. A run without a "completed" entry is asked of the task hub, so a run
// still going says "running" and one that never got to record its end says how the orchestration ended.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { RecentRun } from "../audit/journal";
import { services } from "../app/services";
import { RUNNING } from "../app/durable-status";
import { ROLES } from "../auth/roles";
import { authorize } from "../http/authorize";
import { badRequest, error, json } from "../http/responses";
import { statusOf } from "../app/durable-status";

services(); // validate the configuration at start-up

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

interface RequestedDetail {
  instanceId?: unknown;
  option?: unknown;
  mode?: unknown;
  dryRun?: unknown;
  acceptDataLoss?: unknown;
  requester?: { name?: unknown; oid?: unknown };
  reason?: unknown;
  note?: unknown;
  alert?: { rule?: unknown };
}

interface CompletedDetail {
  outcome?: unknown;
  rto?: { total?: unknown };
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

async function listRuns(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const { config, deps } = services();
  const name = request.params.pair ?? "";
  const pair = config.pairs.find((p) => p.name === name);
  if (!pair) {
    const known = config.pairs.map((p) => p.name).join(", ");
    return error(404, "PairNotFound", `pair "${name}" is not configured (configured: ${known})`, { field: "pair" });
  }
  const rawLimit = request.query.get("limit");
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return badRequest("limit", `must be a whole number from 1 to ${MAX_LIMIT}`);

  const client = df.getClient(context);
  const runs = await Promise.all((await deps.journal.recentRuns(pair.name, limit)).map((r) => describe(client, r)));
  return json(200, { pair: pair.name, runs }, { "cache-control": "no-store" });
}

async function describe(client: df.DurableClient, run: RecentRun) {
  const r = run.requested;
  const d = (r.detail ?? {}) as RequestedDetail;
  const done = run.completed?.detail as CompletedDetail | undefined;
  const id = str(d.instanceId);
  let outcome = str(done?.outcome);
  if (!outcome) {
    const status = id ? await statusOf(client, id) : undefined;
    outcome = !status
      ? "unknown"
      : RUNNING.has(status.runtimeStatus)
        ? "running"
        : String(status.runtimeStatus).toLowerCase();
  }
  const rto = done?.rto?.total;
  return {
    runId: r.runId,
    id,
    requestedAt: r.at,
    option: str(d.option),
    mode: str(d.mode),
    dryRun: d.dryRun === true,
    acceptDataLoss: d.acceptDataLoss === true,
    source: d.alert ? "alert" : "http",
    requester: d.requester ? { name: str(d.requester.name), oid: str(d.requester.oid) } : null,
    reason: str(d.reason),
    note: str(d.note),
    alert: d.alert ? { rule: str(d.alert.rule) } : null,
    outcome,
    endedAt: run.completed?.at ?? null,
    rtoSeconds: typeof rto === "number" ? rto : null,
    summary: run.completed?.summary ?? null,
  };
}

app.http("pair-runs", {
  route: "pairs/{pair}/runs",
  methods: ["GET"],
  authLevel: "anonymous",
  extraInputs: [df.input.durableClient()],
  handler: listRuns,
});
