// Function, master and system keys, and the checks Azure applies to them.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./fs-atomic";
import type { AuthLevel } from "./registry";

export interface HostKeys {
  functionKey: string;
  masterKey: string;
  /** Key of the durabletask extension; embedded (as code=) in the URLs handed to the app. */
  systemKey: string;
  /** True when function/master keys were generated at start (then they are printed once). */
  generated: boolean;
}

export interface KeySources {
  functionKey?: string;
  masterKey?: string;
  env: NodeJS.ProcessEnv;
  hostSection: Record<string, unknown>;
  dataDir: string;
}

const newKey = (): string => randomBytes(30).toString("base64url");

const pick = (...values: unknown[]): string | undefined =>
  values.find((v): v is string => typeof v === "string" && v.length > 0);

/**
 * Resolution order per key: explicit option, env (FUNCTIONS_FUNCTION_KEY / FUNCTIONS_MASTER_KEY),
 * local settings `Host.FunctionKey` / `Host.MasterKey`, else generated. The system key is kept in the
 * data dir so status URLs handed out before a restart keep working after it.
 */
export function resolveKeys(src: KeySources): HostKeys {
  const functionKey = pick(src.functionKey, src.env.FUNCTIONS_FUNCTION_KEY, src.hostSection.FunctionKey);
  const masterKey = pick(src.masterKey, src.env.FUNCTIONS_MASTER_KEY, src.hostSection.MasterKey);
  const generated = !functionKey || !masterKey;
  const keyFile = join(src.dataDir, "system-key.json");
  let systemKey: string | undefined;
  if (existsSync(keyFile)) {
    const parsed = JSON.parse(readFileSync(keyFile, "utf8")) as { systemKey?: unknown };
    systemKey = typeof parsed.systemKey === "string" ? parsed.systemKey : undefined;
  }
  if (!systemKey) {
    systemKey = newKey();
    writeFileAtomic(keyFile, JSON.stringify({ systemKey }));
    chmodSync(keyFile, 0o600);
  }
  return { functionKey: functionKey ?? newKey(), masterKey: masterKey ?? newKey(), systemKey, generated };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key a request presents: `?code=` or the `x-functions-key` header. */
export function presentedKey(url: URL, headers: Record<string, string | string[] | undefined>): string | null {
  const header = headers["x-functions-key"];
  const h = Array.isArray(header) ? header[0] : header;
  return url.searchParams.get("code") ?? h ?? null;
}

export function authorizeFunction(level: AuthLevel, key: string | null, keys: HostKeys): boolean {
  if (level === "anonymous") return true;
  if (key === null) return false;
  if (same(key, keys.masterKey)) return true;
  return level === "function" && same(key, keys.functionKey);
}

export function authorizeDurableApi(key: string | null, keys: HostKeys): boolean {
  return key !== null && (same(key, keys.masterKey) || same(key, keys.systemKey));
}
