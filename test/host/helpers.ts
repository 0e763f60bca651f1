// Shared helpers for the host tests: spawn the fixture app under the host and talk HTTP to it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnHost, type SpawnedHost, type SpawnHostOptions } from "../../local/host/spawn";

/** Source dir of the fixture app (package.json main points into dist/). */
export const FIXTURE_APP = resolve(__dirname, "../../../test/fixtures/host-app");

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `host-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TestHost extends SpawnedHost {
  dataDir: string;
  logs: string[];
}

export async function startFixtureHost(o: Partial<SpawnHostOptions> & { dataDir?: string } = {}): Promise<TestHost> {
  const dataDir = o.dataDir ?? tempDir("data");
  const logs: string[] = [];
  const h = await spawnHost({ appDir: FIXTURE_APP, virtualClock: true, ...o, dataDir, onLine: (l) => logs.push(l) });
  return { ...h, dataDir, logs };
}

export interface Json {
  status: number;
  headers: Headers;
  body: any;
}

/** A request body sent verbatim (everything else is JSON-encoded). */
export class Raw {
  constructor(readonly text: string) {}
}

export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Json> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) init.body = body instanceof Raw ? body.text : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* plain text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Starts an orchestration through the fixture's HTTP starter, as a user would. */
export async function startOrchestration(
  h: SpawnedHost,
  name: string,
  input?: unknown,
  instanceId?: string,
): Promise<{
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
  purgeHistoryDeleteUri: string;
}> {
  const r = await http(
    "POST",
    `${h.url}/api/orchestrators/${name}${instanceId ? `/${instanceId}` : ""}?code=${h.functionKey}`,
    input,
  );
  if (r.status !== 202) throw new Error(`start ${name} -> ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns something other than undefined/false, and returns it. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls a status URL until the predicate holds (default: finished). */
export async function waitForStatus(
  statusUri: string,
  pred: (b: any) => boolean = (b) => ["Completed", "Failed", "Terminated"].includes(b.runtimeStatus),
  timeoutMs = 15000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  let last: Json | undefined;
  while (Date.now() < deadline) {
    last = await http("GET", `${statusUri}&showHistory=true&showHistoryOutput=true`);
    if (last.status !== 404 && pred(last.body)) return last;
    await sleep(25);
  }
  throw new Error(`timed out waiting on ${statusUri.split("?")[0]}; last: ${JSON.stringify(last?.body)}`);
}

/** The history event types, in order, excluding ExecutionStarted/ExecutionCompleted. */
export const eventTypes = (b: any): string[] =>
  (b.historyEvents as { EventType: string }[])
    .map((e) => e.EventType)
    .filter((t) => t !== "ExecutionStarted" && t !== "ExecutionCompleted");
