// The fence of an old primary, shared by the fence activity and the fence watch: new sessions become
// read-only (server parameter default_transaction_read_only through ARM, confirmed on the server itself),
// then every session opened before it is ended, so a pooled connection must reconnect and meets the fence.
// Lifting it puts the parameter's previous value back (only ever before a promote).
import type { PairConfig } from "../config/pair-schema";
import type { ServerRef } from "../domain/facts";
import type { ActivityDeps } from "./deps";

export const FENCE_PARAMETER = "default_transaction_read_only";

export interface Fenced {
  kind: "fenced";
  server: string;
  /** Sessions ended after the fence, and those the probe's role could not end (superusers'). */
  ended: number;
  stillExiting: number;
  survivors: { user: string; sessions: number }[];
  /** Role or database settings that override the fence for some sessions. */
  overrides: string[];
  /** The old primary's WAL position once no session could write: the replica must replay up to here. */
  lsn: string | null;
  confirmedAt: string;
}

export async function fenceServer(deps: ActivityDeps, pair: PairConfig, server: ServerRef): Promise<Fenced> {
  await deps.servers.setParameter(server.resourceId, FENCE_PARAMETER, "on");
  const name = await ownName(deps, server);
  const login = deps.login(pair);
  await confirm(deps, name, pair, "on");
  const sessions = await deps.probe.endSessions(name, login);
  const after = await deps.probe.fenceState(name, login);
  if (normalize(after.readOnlyDefault) !== "on")
    throw new Error(`${name}: the fence did not hold (default_transaction_read_only ${after.readOnlyDefault})`);
  return {
    kind: "fenced",
    server: server.name,
    ended: sessions.ended,
    stillExiting: sessions.stillExiting,
    survivors: sessions.survivors,
    overrides: after.overrides,
    lsn: after.walLsn,
    confirmedAt: new Date().toISOString(),
  };
}

export async function liftFence(
  deps: ActivityDeps,
  pair: PairConfig,
  server: ServerRef,
  previous: string,
): Promise<void> {
  await deps.servers.setParameter(server.resourceId, FENCE_PARAMETER, previous);
  await confirm(deps, await ownName(deps, server), pair, previous);
}

/** New sessions see a reloaded parameter a moment after ARM reports it applied: look a few times. */
async function confirm(deps: ActivityDeps, name: string, pair: PairConfig, value: string): Promise<void> {
  const login = deps.login(pair);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await deps.probe.fenceState(name, login);
    if (normalize(s.readOnlyDefault) === normalize(value)) return;
    if (Date.now() > deadline) {
      throw new Error(`${name}: new sessions still get ${FENCE_PARAMETER} = ${s.readOnlyDefault}, expected ${value}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ownName(deps: ActivityDeps, server: ServerRef): Promise<string> {
  if (server.fqdn) return server.fqdn;
  const state = await deps.servers.get(server.resourceId);
  if (!state.fqdn) throw new Error(`ARM reports no fullyQualifiedDomainName for ${server.name}`);
  return state.fqdn;
}

/** PostgreSQL's other spellings of a boolean setting, read as the words SHOW prints (on/off). */
function normalize(v: string): string {
  const l = v.trim().toLowerCase();
  const spellings = new Map([
    ["true", "on"],
    ["yes", "on"],
    ["1", "on"],
    ["false", "off"],
    ["no", "off"],
    ["0", "off"],
  ]);
  return spellings.get(l) ?? l;
}
