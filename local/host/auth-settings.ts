// App Service Authentication ("Easy Auth") configuration: whether it is on, and the authsettingsV2
// file that says how it behaves. Every mistake refuses the start, naming the setting at fault.
//
// On when the app setting WEBSITE_AUTH_ENABLED is True (as the platform sets it) AND an authsettingsV2
// file is named (option/--auth-settings, else LOCALHOST_AUTH_SETTINGS_FILE). Only the fields this host
// acts on are read; the file may hold the others (httpSettings, login, other providers) unread.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export type UnauthenticatedClientAction = "AllowAnonymous" | "Return401" | "Return403" | "RedirectToLoginPage";
const ACTIONS: readonly UnauthenticatedClientAction[] = [
  "AllowAnonymous",
  "Return401",
  "Return403",
  "RedirectToLoginPage",
];

export interface AuthSettings {
  /** Where the settings came from (for messages). */
  file: string;
  /** globalValidation.requireAuthentication: when false, unauthenticated requests always pass. */
  requireAuthentication: boolean;
  unauthenticatedClientAction: UnauthenticatedClientAction;
  /** globalValidation.excludedPaths, as written. */
  excludedPaths: string[];
  /** identityProviders.azureActiveDirectory.registration.openIdIssuer (https). */
  openIdIssuer: string;
  clientId: string;
  /** validation.allowedAudiences; the clientId is always accepted besides these. */
  allowedAudiences: string[];
  /** login.tokenStore.enabled: a session's tokens reach the app as X-MS-TOKEN-AAD-* headers only when on. */
  tokenStore: boolean;
  /** PEM text of LOCALHOST_AUTH_CA_FILE, trusted in addition to the system roots; null when not set. */
  caPem: string | null;
}

export interface AuthSources {
  env: NodeJS.ProcessEnv;
  /** startHost option / --auth-settings; wins over LOCALHOST_AUTH_SETTINGS_FILE. */
  settingsFile?: string;
}

const ENABLED = "WEBSITE_AUTH_ENABLED";
const FILE_VAR = "LOCALHOST_AUTH_SETTINGS_FILE";
const CA_VAR = "LOCALHOST_AUTH_CA_FILE";

/** WEBSITE_AUTH_ENABLED: unset/empty or False → off, True → on (case-insensitive); anything else refuses. */
export function authEnabledSetting(env: NodeJS.ProcessEnv): boolean {
  const raw = env[ENABLED];
  if (raw === undefined || raw.trim() === "") return false;
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new Error(`${ENABLED} must be True or False, got "${raw}".`);
}

/**
 * The App Service Authentication settings when it is on, else null (with `note` telling why it is off
 * when a settings file was given anyway). Throws a message naming the setting for any bad config.
 */
export function resolveAuthSettings(src: AuthSources, note: (msg: string) => void = () => {}): AuthSettings | null {
  const enabled = authEnabledSetting(src.env);
  const fromOption = src.settingsFile !== undefined && src.settingsFile !== "";
  const named = fromOption ? src.settingsFile : src.env[FILE_VAR];
  const source = fromOption ? "--auth-settings" : FILE_VAR;
  if (!enabled) {
    if (named) note(`${ENABLED} is not True: App Service Authentication is off (${source} is ignored)`);
    return null;
  }
  if (!named) {
    throw new Error(
      `${ENABLED} is True but no authsettingsV2 file is named: set ${FILE_VAR} (or --auth-settings / authSettingsFile).`,
    );
  }
  const file = resolve(named);
  if (!existsSync(file)) throw new Error(`${source}: auth settings file not found: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${source}: cannot read auth settings file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const settings = parseAuthSettingsV2(json, file);
  settings.caPem = readCa(src.env[CA_VAR]);
  return settings;
}

function readCa(named: string | undefined): string | null {
  if (named === undefined || named === "") return null;
  const file = resolve(named);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${CA_VAR}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`${CA_VAR}: ${file} holds no PEM certificate.`);
  return text;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates the authsettingsV2 properties this host acts on; `where` names the file in messages. */
export function parseAuthSettingsV2(json: unknown, where: string): AuthSettings {
  const fail = (field: string, problem: string): never => {
    throw new Error(`auth settings ${where}: ${field} ${problem}`);
  };
  // Accept the ARM resource shape too ({ properties: {...} }), as `az webapp auth show` prints it.
  const root = isObj(json) && isObj(json.properties) ? json.properties : json;
  if (!isObj(root)) return fail("(root)", "must be a JSON object.");
  const section = (parent: Json, name: string, path: string, required: boolean): Json | undefined => {
    const v = parent[name];
    if (v === undefined && !required) return undefined;
    return isObj(v) ? v : fail(path, "must be an object.");
  };
  const bool = (parent: Json, name: string, path: string): boolean | undefined => {
    const v = parent[name];
    if (v === undefined) return undefined;
    return typeof v === "boolean" ? v : fail(path, `must be true or false, got ${JSON.stringify(v)}.`);
  };
  const strings = (parent: Json, name: string, path: string): string[] => {
    const v = parent[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string" || s === ""))
      return fail(path, "must be an array of non-empty strings.");
    return v as string[];
  };

  const platform = section(root, "platform", "platform", true)!;
  if (bool(platform, "enabled", "platform.enabled") !== true)
    fail("platform.enabled", "must be true while WEBSITE_AUTH_ENABLED is True.");

  const gv = section(root, "globalValidation", "globalValidation", false) ?? {};
  const actionRaw = gv.unauthenticatedClientAction ?? "RedirectToLoginPage";
  if (typeof actionRaw !== "string" || !ACTIONS.includes(actionRaw as UnauthenticatedClientAction))
    fail(
      "globalValidation.unauthenticatedClientAction",
      `must be one of ${ACTIONS.join(", ")}, got ${JSON.stringify(actionRaw)}.`,
    );
  const action = actionRaw as UnauthenticatedClientAction;
  // Absent: required unless the action lets anonymous requests through (so a missing flag never opens the app).
  const requireAuthentication =
    bool(gv, "requireAuthentication", "globalValidation.requireAuthentication") ?? action !== "AllowAnonymous";
  const excludedPaths = strings(gv, "excludedPaths", "globalValidation.excludedPaths");
  for (const p of excludedPaths)
    if (!p.startsWith("/")) fail("globalValidation.excludedPaths", `entries must start with "/", got "${p}".`);

  const providers = section(root, "identityProviders", "identityProviders", true)!;
  const aadPath = "identityProviders.azureActiveDirectory";
  const aad = section(providers, "azureActiveDirectory", aadPath, true)!;
  if (bool(aad, "enabled", `${aadPath}.enabled`) === false)
    fail(`${aadPath}.enabled`, "is false; it is the only provider this host serves.");
  const reg = section(aad, "registration", `${aadPath}.registration`, true)!;
  const issuer = reg.openIdIssuer;
  if (typeof issuer !== "string" || issuer === "") return fail(`${aadPath}.registration.openIdIssuer`, "is required.");
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    return fail(`${aadPath}.registration.openIdIssuer`, `is not a URL: "${issuer}".`);
  }
  if (issuerUrl.protocol !== "https:")
    fail(
      `${aadPath}.registration.openIdIssuer`,
      `must be an https URL (keys are fetched over TLS only), got "${issuer}".`,
    );
  const clientId = reg.clientId;
  if (typeof clientId !== "string" || clientId === "") return fail(`${aadPath}.registration.clientId`, "is required.");
  const validation = section(aad, "validation", `${aadPath}.validation`, false) ?? {};
  const allowedAudiences = strings(validation, "allowedAudiences", `${aadPath}.validation.allowedAudiences`);
  // Absent: off, so a deployment that leaves it out sees here what it gets in Azure (no token headers) rather
  // than a lab that works where Azure would not.
  const login = section(root, "login", "login", false) ?? {};
  const store = section(login, "tokenStore", "login.tokenStore", false) ?? {};
  const tokenStore = bool(store, "enabled", "login.tokenStore.enabled") ?? false;

  return {
    file: where,
    requireAuthentication,
    unauthenticatedClientAction: action,
    excludedPaths,
    openIdIssuer: issuer,
    clientId,
    allowedAudiences,
    tokenStore,
    caPem: null,
  };
}
