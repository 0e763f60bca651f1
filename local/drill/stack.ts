// The whole thing on one machine: the two-region lab plus the app under the local durable host, wired
// with the lab's settings. Used by `npm run drill` and by the end-to-end tests.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnHost, type SpawnedHost } from "../host/spawn";
import { startLab, type Lab, type LabOptions } from "../lab";
import { appSettingsFor, LAB_PAIR, shapeFor, type LabPairOverrides } from "../lab/app-settings";
import { APP_ROLE_FILE, STOP_ROLE_FILE } from "../lab/arm/rbac";
import { pairName } from "../lab/names";
import { FailoverApi } from "./api";

export interface StackOptions {
  lab?: LabOptions;
  pair?: LabPairOverrides;
  /** More app settings, over the lab's. */
  settings?: Record<string, string>;
  /** Lines printed by the host (the app's logs); default: dropped. */
  onHostLine?: (line: string) => void;
}

/**
 * The pair's timings for a lab at Azure's pace (LabOptions.profile "azure"): the lab's own (lab/app-settings.ts)
 * allow a promote 120 s, and Azure's takes up to 3 min. Deadlines as long as the app's defaults would allow more
 * polls than a run may hold at the lab's 1 s polls: 10 min, polled every 5 s. Drain and stabilisation stay short
 * (they are configured waits, not Azure's pace).
 */
export const AZURE_PACE_TIMINGS = {
  promoteDeadlineSeconds: 600,
  promotePollSeconds: 5,
  catchUpDeadlineSeconds: 300,
  verifyDeadlineSeconds: 120,
};

/** The lab's users and their app roles: who the drill and the tests call as. */
export const LAB_USERS = {
  /** On call: requests failovers and reads. */
  alice: ["Failover.Request", "Failover.Read"],
  /** The second person: approves (or aborts) and reads. */
  bob: ["Failover.Approve", "Failover.Read"],
  /** Reads only. */
  carol: ["Failover.Read"],
} as const;

export interface Stack {
  lab: Lab;
  host: SpawnedHost;
  /** The API as alice (Failover.Request + Failover.Read). */
  api: FailoverApi;
  /** The API as bob (Failover.Approve + Failover.Read): the second person. */
  approver: FailoverApi;
  /** The API as any lab user with these roles (a fresh token from the lab's issuer). */
  as(user: string, roles: readonly string[]): Promise<FailoverApi>;
  pair: string;
  settingsFile: string;
  dataDir: string;
  /** Starts the host again on the same data dir (after a crash test killed it). */
  restartHost(): Promise<SpawnedHost>;
  stop(): Promise<void>;
}

/** The repository root: the app the host loads (package.json main + host.json). */
export const APP_DIR = resolve(__dirname, "..", "..", "..");

/** The lab pairs whose fence.onReturn is "stop" with these overrides: those the template gives the stop role. */
export function stopPairs(count: number, overrides: LabPairOverrides = {}): string[] {
  const names = Array.from({ length: count }, (_, k) => pairName(k));
  return names.filter((n) => shapeFor(overrides, n).fence?.onReturn === "stop");
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  // The deployment's roles where it assigns them: the stop role only for pairs whose fence.onReturn is "stop".
  const stopRole = { role: STOP_ROLE_FILE, pairs: stopPairs(o.lab?.pairs ?? 1, o.pair) };
  const lab = await startLab({ role: APP_ROLE_FILE, stopRole, ...o.lab });
  const work = mkdtempSync(join(tmpdir(), "pgflex-stack-"));
  const settingsFile = join(work, "local.settings.json");
  const dataDir = join(work, "host-data");
  writeFileSync(
    settingsFile,
    JSON.stringify({ IsEncrypted: false, Values: { ...appSettingsFor(lab.info, o.pair), ...o.settings } }, null, 2),
    { mode: 0o600 },
  );
  const launch = () =>
    spawnHost({ appDir: APP_DIR, settingsFile, dataDir, onLine: o.onHostLine, readyTimeoutMs: 60_000 });
  let host: SpawnedHost;
  try {
    host = await launch();
  } catch (e) {
    await lab.stop();
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
  const caller = async (user: string, roles: readonly string[]) => ({
    token: await lab.token({ user, roles: [...roles] }),
  });
  const [alice, bob] = await Promise.all([caller("alice", LAB_USERS.alice), caller("bob", LAB_USERS.bob)]);
  const stack: Stack = {
    lab,
    host,
    api: new FailoverApi(host.url, alice),
    approver: new FailoverApi(host.url, bob),
    as: async (user, roles) => new FailoverApi(stack.host.url, await caller(user, roles)),
    pair: LAB_PAIR,
    settingsFile,
    dataDir,
    async restartHost() {
      await stack.host.kill("SIGKILL");
      stack.host = await launch();
      stack.api = new FailoverApi(stack.host.url, alice);
      stack.approver = new FailoverApi(stack.host.url, bob);
      return stack.host;
    },
    async stop() {
      await stack.host.stop().catch(() => undefined);
      await lab.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return stack;
}
