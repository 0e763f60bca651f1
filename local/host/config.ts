// Reads the app's host.json, package.json "main" and local settings, like `func start` does.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface HostJsonConfig {
  functionTimeoutMs: number | null;
  hubName: string;
  routePrefix: string;
  maxConcurrentActivityFunctions: number;
  /** host.json overridableExistingInstanceStates: "NonRunningStates" (default) or "AnyState". */
  overridableExistingInstanceStates: "NonRunningStates" | "AnyState";
}

export interface LocalSettings {
  values: Record<string, string>;
  /** Optional `Host` section: LocalHttpPort, plus our additions FunctionKey / MasterKey. */
  host: Record<string, unknown>;
}

/** Parses a .NET TimeSpan string ("00:05:00", "1.02:03:04.5") into milliseconds. */
export function parseTimeSpan(text: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`Cannot parse TimeSpan "${text}" (expected [d.]hh:mm:ss[.fff]).`);
  const [, d, h, mi, s, frac] = m;
  const fracMs = frac ? Number(`0.${frac}`) * 1000 : 0;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(mi)) * 60000 + Number(s) * 1000 + fracMs;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`Cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function readHostJson(appDir: string): HostJsonConfig {
  const file = join(appDir, "host.json");
  const json = existsSync(file) ? obj(readJson(file, "host.json")) : {};
  const ext = obj(json.extensions);
  const dt = obj(ext.durableTask);
  const http = obj(ext.http);
  const timeout = json.functionTimeout;
  const overridable = String(dt.overridableExistingInstanceStates ?? "NonRunningStates");
  if (overridable !== "NonRunningStates" && overridable !== "AnyState") {
    throw new Error(
      `host.json: overridableExistingInstanceStates must be NonRunningStates or AnyState, got "${overridable}".`,
    );
  }
  const maxAct = dt.maxConcurrentActivityFunctions ?? 10;
  if (typeof maxAct !== "number" || !Number.isInteger(maxAct) || maxAct < 1) {
    throw new Error(`host.json: maxConcurrentActivityFunctions must be a positive integer.`);
  }
  return {
    // "-1" means unlimited in host.json.
    functionTimeoutMs: typeof timeout === "string" && timeout !== "-1" ? parseTimeSpan(timeout) : null,
    hubName: typeof dt.hubName === "string" && dt.hubName ? dt.hubName : "TestHubName",
    routePrefix: typeof http.routePrefix === "string" ? http.routePrefix.replace(/^\/+|\/+$/g, "") : "api",
    maxConcurrentActivityFunctions: maxAct,
    overridableExistingInstanceStates: overridable,
  };
}

/** Reads local.settings.json (or an explicit file in the same shape). Missing default file = empty. */
export function readLocalSettings(appDir: string, explicitFile?: string): LocalSettings {
  const file = explicitFile ? resolve(explicitFile) : join(appDir, "local.settings.json");
  if (!existsSync(file)) {
    if (explicitFile) throw new Error(`Settings file not found: ${file}`);
    return { values: {}, host: {} };
  }
  const json = obj(readJson(file, "settings file"));
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(json.Values))) values[k] = typeof v === "string" ? v : JSON.stringify(v);
  return { values, host: obj(json.Host) };
}

/**
 * Expands package.json "main" to the files to load. Supports a `*` glob in the last path segment
 * (e.g. "dist/src/functions/*.js"), which is what the v4 programming model templates use.
 */
export function resolveMainFiles(appDir: string): string[] {
  const pkgFile = join(appDir, "package.json");
  if (!existsSync(pkgFile)) throw new Error(`No package.json in app directory ${appDir}.`);
  const pkg = obj(readJson(pkgFile, "package.json"));
  const main = typeof pkg.main === "string" && pkg.main ? pkg.main : "index.js";
  const full = resolve(appDir, main);
  const pattern = basename(full);
  if (dirname(pattern) !== "." || dirname(full).includes("*")) {
    throw new Error(`package.json main "${main}": only a * glob in the last path segment is supported.`);
  }
  if (!pattern.includes("*")) {
    if (!existsSync(full))
      throw new Error(`package.json main "${main}" does not exist (${full}); build the app first.`);
    return [full];
  }
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`package.json main "${main}": directory ${dir} does not exist; build the app first.`);
  }
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}$`,
  );
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}
