// The Durable Functions HTTP API (instance management webhooks) with the extension's status codes.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Clock } from "./clock";
import { managementUrls, WEBHOOK_PATH } from "./client-input";
import type { Engine } from "./engine";
import { event, presentHistory } from "./history";
import { decodeSegment, sendJson as sendNow, sendJsonText } from "./http-util";
import type { HostKeys } from "./keys";
import type { Registry } from "./registry";
import type { InstanceStore } from "./store";
import { EventType, isTerminal, type InstanceRecord, type RuntimeStatus } from "./types";

export interface DurableApiContext {
  engine: Engine;
  store: InstanceStore;
  registry: Registry;
  clock: Clock;
  keys: HostKeys;
  hubName: string;
  baseUrl: () => string;
  overridable: "NonRunningStates" | "AnyState";
}

const parseJsonText = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** 202 while the instance can still make progress, 200 once it is finished. */
const statusCode = (s: RuntimeStatus): number => (isTerminal(s) ? 200 : 202);

function statusBody(rec: InstanceRecord, q: URLSearchParams, defaultShowInput: boolean): Record<string, unknown> {
  const flag = (k: string, dflt: boolean) => (q.has(k) ? q.get(k)!.toLowerCase() === "true" : dflt);
  const body: Record<string, unknown> = {
    name: rec.name,
    instanceId: rec.instanceId,
    runtimeStatus: rec.status,
    input: flag("showInput", defaultShowInput) ? parseJsonText(rec.input) : null,
    customStatus: parseJsonText(rec.customStatus),
    output: parseJsonText(rec.output),
    createdTime: rec.createdTime,
    lastUpdatedTime: rec.lastUpdatedTime,
  };
  if (flag("showHistory", false)) body.historyEvents = presentHistory(rec.history, flag("showHistoryOutput", false));
  return body;
}

function filterInstances(ctx: DurableApiContext, q: URLSearchParams): InstanceRecord[] {
  const from = q.get("createdTimeFrom");
  const to = q.get("createdTimeTo");
  const statuses = (q.get("runtimeStatus") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const prefix = q.get("instanceIdPrefix");
  const bad = [from, to].filter((d) => d !== null && Number.isNaN(Date.parse(d)));
  if (bad.length > 0) throw new RangeError(`invalid date: ${bad.join(", ")}`);
  return ctx.store
    .all()
    .filter((r) => !from || Date.parse(r.createdTime) >= Date.parse(from))
    .filter((r) => !to || Date.parse(r.createdTime) <= Date.parse(to))
    .filter((r) => statuses.length === 0 || statuses.includes(r.status.toLowerCase()))
    .filter((r) => !prefix || r.instanceId.startsWith(prefix))
    .sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
}

/** Handles a request below the webhook prefix. `path` is the remainder, e.g. "instances/abc". */
export function handleDurableApi(
  ctx: DurableApiContext,
  method: string,
  path: string,
  url: URL,
  body: Buffer,
  headers: Record<string, string | string[] | undefined>,
  res: ServerResponse,
): void {
  // Every answer waits until what it reports, or what the request changed, is on disk (the store group-commits):
  // in Azure these answers come from storage, so a 202 for a start or an event means it survives a crash.
  const sendJson = (r: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    const text = body === undefined ? "" : JSON.stringify(body);
    ctx.store.flush().then(
      () => sendJsonText(r, status, text, extra),
      (err: unknown) => sendNow(r, 500, { message: `The task hub could not be written: ${(err as Error).message}` }),
    );
  };
  const parts = path.split("/").filter(Boolean).map(decodeSegment);
  const q = url.searchParams;
  const hook = `${ctx.baseUrl()}${WEBHOOK_PATH}`;
  const query = `taskHub=${encodeURIComponent(ctx.hubName)}&connection=Storage&code=${encodeURIComponent(ctx.keys.systemKey)}`;
  const text = body.toString("utf8");
  const badJson = (): boolean => {
    if (text.trim() === "") return false;
    try {
      JSON.parse(text);
      return false;
    } catch {
      sendJson(res, 400, { message: "The request body is not valid JSON." });
      return true;
    }
  };

  // POST orchestrators/{name}[/{instanceId}]
  if (parts[0] === "orchestrators" && (parts.length === 2 || parts.length === 3)) {
    if (method !== "POST") return sendJson(res, 405, { message: "Use POST to start an orchestration." });
    const name = parts[1]!;
    if (!ctx.registry.orchestrators.has(name))
      return sendJson(res, 400, {
        message: `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      });
    if (badJson()) return;
    const instanceId = parts[2] ?? randomUUID().replace(/-/g, "");
    const existing = ctx.store.get(instanceId);
    if (existing && !isTerminal(existing.status) && ctx.overridable === "NonRunningStates") {
      return sendJson(res, 409, { message: `An Orchestration instance with the ID '${instanceId}' already exists.` });
    }
    ctx.engine.start(name, instanceId, text.trim() === "" ? null : text);
    const payload = managementUrls(hook, instanceId, query);
    return sendJson(res, 202, payload, { location: payload.statusQueryGetUri!, "retry-after": "10" });
  }

  if (parts[0] !== "instances") return sendJson(res, 404, { message: `Unknown durable API path '${path}'.` });

  // Collection: list (GET) and purge by filter (DELETE).
  if (parts.length === 1) {
    let matches: InstanceRecord[];
    try {
      matches = filterInstances(ctx, q);
    } catch (err) {
      return sendJson(res, 400, { message: (err as Error).message });
    }
    if (method === "GET") {
      const top = Number(q.get("top") ?? "0");
      const tokenHeader = headers["x-ms-continuation-token"];
      const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
      const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) || 0 : 0;
      const page = top > 0 ? matches.slice(start, start + top) : matches.slice(start);
      const next =
        top > 0 && start + top < matches.length ? Buffer.from(String(start + top)).toString("base64url") : null;
      return sendJson(
        res,
        200,
        page.map((r) => statusBody(r, q, false)),
        next ? { "x-ms-continuation-token": next } : {},
      );
    }
    if (method === "DELETE") {
      const purgeable = matches.filter((r) => isTerminal(r.status));
      purgeable.forEach((r) => ctx.store.delete(r.instanceId));
      return sendJson(res, purgeable.length > 0 ? 200 : 404, { instancesDeleted: purgeable.length });
    }
    return sendJson(res, 405, { message: "Use GET to list or DELETE to purge instances." });
  }

  const instanceId = parts[1]!;
  const rec = ctx.store.get(instanceId);
  if (parts.length === 2) {
    if (method === "GET") {
      if (!rec) return sendJson(res, 404, { message: `No instance with ID '${instanceId}' found.` });
      const code = statusCode(rec.status);
      const extra: Record<string, string> =
        code === 202
          ? { location: `${hook}/instances/${encodeURIComponent(instanceId)}?${query}`, "retry-after": "10" }
          : {};
      return sendJson(res, code, statusBody(rec, q, true), extra);
    }
    if (method === "DELETE") {
      // Only finished instances can be purged; others are "not found" for purging.
      if (!rec || !isTerminal(rec.status)) return sendJson(res, 404, { instancesDeleted: 0 });
      ctx.store.delete(instanceId);
      return sendJson(res, 200, { instancesDeleted: 1 });
    }
    return sendJson(res, 405, { message: "Use GET for status or DELETE to purge." });
  }

  if (method !== "POST") return sendJson(res, 405, { message: "Use POST for instance operations." });
  const op = parts[2]!.toLowerCase();
  if (!rec) return sendJson(res, 404, { message: `No instance with ID '${instanceId}' found.` });
  const now = ctx.clock.now();
  const reason = q.get("reason") ?? "";
  switch (op) {
    case "raiseevent": {
      const name = parts[3];
      if (!name) return sendJson(res, 400, { message: "An event name is required." });
      if (badJson()) return;
      if (isTerminal(rec.status))
        return sendJson(res, 410, {
          message: `Instance '${instanceId}' is ${rec.status}; it can no longer receive events.`,
        });
      ctx.engine.deliver(
        instanceId,
        event(EventType.EventRaised, now, { Name: name, Input: text.trim() === "" ? null : text }),
      );
      return sendJson(res, 202, undefined);
    }
    case "terminate":
      if (isTerminal(rec.status))
        return sendJson(res, 410, { message: `Instance '${instanceId}' is already ${rec.status}.` });
      ctx.engine.deliver(instanceId, event(EventType.ExecutionTerminated, now, { Input: JSON.stringify(reason) }));
      return sendJson(res, 202, undefined);
    case "suspend":
    case "resume":
      if (isTerminal(rec.status))
        return sendJson(res, 410, { message: `Instance '${instanceId}' is already ${rec.status}.` });
      ctx.engine.deliver(
        instanceId,
        event(op === "suspend" ? EventType.ExecutionSuspended : EventType.ExecutionResumed, now, { Reason: reason }),
      );
      return sendJson(res, 202, undefined);
    case "rewind":
    case "restart":
      return sendJson(res, 501, { message: `'${op}' is not supported by the local host.` });
    default:
      return sendJson(res, 404, { message: `Unknown instance operation '${op}'.` });
  }
}
