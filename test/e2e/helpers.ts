// Shared steps of the end-to-end tests: the real lab, the real app under the local durable host, and the
// checks a user relies on (what DNS answers, where the CNAME points, who is writable).
import assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { staticTokenCredential } from "../../src/azure/credential";
import type { FailoverOutput } from "../../src/orchestrations/failover-types";
import { followFailover } from "../../local/drill/follow";
import type { FailoverView } from "../../local/drill/render";
import { startStack, type Stack, type StackOptions } from "../../local/drill/stack";

export type { Stack };

export function start(o: StackOptions = {}): Promise<Stack> {
  return startStack({
    lab: { promoteDelayMs: 500, ...o.lab },
    pair: { timings: { drainCapSeconds: 1, stabiliseSeconds: 1, ...o.pair?.timings }, ...o.pair },
    // The pairs view read again after 0.5 s instead of 5: a test waiting for a change to show waits less.
    settings: { PGFLEX_PAIRS_VIEW_SECONDS: "0.5", ...o.settings },
    onHostLine: o.onHostLine ?? (process.env.E2E_VERBOSE ? (l: string) => console.log("host|", l) : undefined),
  });
}

export interface Run {
  id: string;
  view: FailoverView;
  out: FailoverOutput;
}

export async function requestFailover(
  stack: Stack,
  body: Record<string, unknown>,
): Promise<{ id: string; statusUri: string }> {
  const res = await stack.api.post<{ id: string; statusUri: string }>("/api/failovers", {
    pair: stack.pair,
    reason: "end-to-end test",
    requestedBy: "e2e",
    ...body,
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body;
}

export async function follow(stack: Stack, id: string): Promise<Run> {
  const view = await followFailover(stack.api, id, { timeoutMs: 120_000, intervalMs: 100 });
  assert.equal(view.runtimeStatus, "Completed", JSON.stringify(view.error ?? view));
  return { id, view, out: view.result! };
}

export async function failover(stack: Stack, body: Record<string, unknown> = {}): Promise<Run> {
  const { id } = await requestFailover(stack, body);
  return follow(stack, id);
}

/** What the lab's DNS server answers for the CNAME, asked as an application would. */
export async function resolveCname(stack: Stack): Promise<{ target: string; addresses: string[] }> {
  const r = new dns.Resolver();
  r.setServers([`${stack.lab.info.dns.host}:${stack.lab.info.dns.port}`]);
  const name = `${stack.lab.info.cnameRecord}.${stack.lab.info.zone}`;
  const [target] = await r.resolveCname(name);
  return { target: target!.toLowerCase(), addresses: await r.resolve4(name) };
}

/** The CNAME record set as ARM stores it (target and TTL). */
export function cnameRecord(stack: Stack): { target: string; ttl: number; etag: string } {
  const rs = stack.lab
    .recordSets()
    .find((r) => r.type === "CNAME" && r.name.toLowerCase() === stack.lab.info.cnameRecord);
  assert.ok(rs, "the CNAME record set exists");
  return { target: rs.cnameRecord!.cname.toLowerCase().replace(/\.$/, ""), ttl: rs.ttl, etag: rs.etag };
}

/** The real Private DNS SDK client, pointed at the lab's ARM emulator, acting as a person (the lab's admin token). */
export function dnsClient(stack: Stack): PrivateDnsManagementClient {
  const { info } = stack.lab;
  return new PrivateDnsManagementClient(staticTokenCredential(info.arm.adminToken), info.subscriptionId, {
    endpoint: info.arm.endpoint,
    credentialScopes: [`${info.arm.endpoint}/.default`],
    tlsOptions: { ca: info.caPem },
  });
}

export interface RoleView {
  role: string | undefined;
  state: string | undefined;
  source: string | null;
}

export function roles(stack: Stack): { primary: RoleView; replica: RoleView } {
  const view = (key: string): RoleView => {
    const s = stack.lab.serverResource(key) as {
      properties: { replicationRole?: string; state?: string; sourceServerResourceId?: string };
    };
    return {
      role: s.properties.replicationRole,
      state: s.properties.state,
      source: s.properties.sourceServerResourceId ?? null,
    };
  };
  return { primary: view("primary"), replica: view("replica") };
}

export async function inRecovery(stack: Stack, key: "primary" | "replica"): Promise<boolean> {
  const [row] = await stack.lab.adminQuery<{ r: boolean }>(key, "select pg_is_in_recovery() as r");
  return row!.r;
}

/** The steps of the audit timeline, in order, without repeats of polls. */
export function auditSteps(view: FailoverView): string[] {
  const out: string[] = [];
  for (const e of view.timeline) {
    const s = e.step === "run" ? `run:${e.event}` : e.step;
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
}

/** The step a running failover is on, as its status shows it. */
export async function currentStep(stack: Stack, id: string): Promise<string | undefined> {
  return (await stack.api.get<{ currentStep: { step: string } | null }>(`/api/failovers/${id}`)).body.currentStep?.step;
}

import { waitFor } from "../wait-for";
export { waitFor };

/** Runs a timer-triggered function now, through the host's admin API (as `func` and Azure allow). */
export async function runFunction(stack: Stack, name: string): Promise<void> {
  const res = await fetch(new URL(`/admin/functions/${name}`, stack.host.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.host.masterKey },
    body: JSON.stringify({ input: "" }),
  });
  assert.equal(res.status, 202, `POST /admin/functions/${name}: ${await res.text()}`);
}

export interface PairView {
  name: string;
  cname: { target: string; ttl: number };
  servers: { name: string; servesCname: boolean; role: string; acceptsWrites: boolean; fenced: boolean }[];
  lag: { latest: { primary: string | null; bytes: number | null; primaryAlive: boolean; at: string } | null };
  oldPrimaryFence: { state: string; server: { name: string } } | null;
  warnings: string[];
}

export async function pairView(stack: Stack): Promise<PairView> {
  const res = await stack.api.get<{ pairs: PairView[] }>("/api/pairs");
  assert.equal(res.status, 200);
  return res.body.pairs[0]!;
}

/**
 * The pair's view once it shows `what`: GET /api/pairs serves a view up to PGFLEX_PAIRS_VIEW_SECONDS old, so a change
 * the test just made shows within a few seconds, not at once.
 */
export async function pairViewOnce(stack: Stack, what: string, shows: (v: PairView) => boolean): Promise<PairView> {
  return waitFor(what, async () => {
    const v = await pairView(stack);
    return shows(v) ? v : undefined;
  });
}

export function promotePatches(stack: Stack) {
  return stack.lab
    .requests()
    .filter((r) => r.method === "PATCH" && /flexibleservers\/[^/]+$/i.test(r.path) && r.status === 202);
}
