// Azure RBAC for the ARM emulator: role definitions (infra/role.json and infra/role-stop.json, the deployment's
// custom roles), the scopes they are assigned at (./assignments.ts: as infra/main.bicep assigns them), the ARM
// action and scope each request needs, and ARM's 403 AuthorizationFailed when no assignment grants it. Only the
// app's token is held to the roles; the lab's admin token acts as a person with Owner would.
//
// What is modelled: actions (reads, writes, deletes, POST actions, LRO status polls) with ARM's wildcard
// matching (case-insensitive, `*` matches any run of characters, `/` included) and NotActions subtracted,
// per permission block; scopes: an assignment grants its role's actions at its scope and every scope below it,
// and nowhere else ("Understand scope for Azure RBAC": "Lower levels inherit role permissions from higher
// levels"; a Private DNS record set is a scope of its own: "How to protect private DNS zones and records",
// Record set level Azure RBAC). What is not: deny assignments, conditions, data actions.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ArmResponse } from "./router";

/** The deployment's custom role (infra/role.json, which infra/main.bicep loads): what the stack enforces. */
export const APP_ROLE_FILE = resolve(__dirname, "..", "..", "..", "..", "infra", "role.json");
/** The stop role (infra/role-stop.json): assigned only for pairs whose fence.onReturn is "stop". */
export const STOP_ROLE_FILE = resolve(__dirname, "..", "..", "..", "..", "infra", "role-stop.json");
/** The re-protect role (infra/role-reprotect.json): optional, on the servers' resource group. */
export const REPROTECT_ROLE_FILE = resolve(__dirname, "..", "..", "..", "..", "infra", "role-reprotect.json");

/**
 * A role definition as `az role definition create --role-definition` takes it (Name, Description, Actions,
 * NotActions, DataActions, NotDataActions, AssignableScopes; the CLI lower-cases the first letter of each key),
 * or as ARM returns it (roleName, permissions: [{actions, notActions, dataActions, notDataActions}]).
 */
export interface RoleDefinition {
  Name?: string;
  roleName?: string;
  IsCustom?: boolean;
  Description?: string;
  Actions?: string[];
  NotActions?: string[];
  DataActions?: string[];
  NotDataActions?: string[];
  AssignableScopes?: string[];
  permissions?: Permission[];
}

export interface Permission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

/** A role ready to check: its name and its permission blocks. */
export interface Role {
  name: string;
  /** The file it was read from (absolute), when it came from one. */
  source?: string;
  permissions: { actions: string[]; notActions: string[] }[];
}

/** A role assigned at a scope (a resource id, a resource group, a subscription). */
export interface Assignment {
  role: Role;
  scope: string;
}

/** The action a request needs and the scope ARM names in a refusal. */
export interface RequiredAction {
  action: string;
  scope: string;
}

/** Reads a role definition (an object, or a path to a JSON file) into a Role; throws with what is wrong. */
export function loadRole(def: RoleDefinition | string): Role {
  let raw: unknown = def;
  const where = typeof def === "string" ? `role definition ${def}` : "role definition";
  if (typeof def === "string") {
    try {
      raw = JSON.parse(readFileSync(def, "utf8"));
    } catch (e) {
      throw new Error(`${where}: cannot read it as JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${where}: must be a JSON object`);
  // As the Azure CLI does: Name → name, Actions → actions, AssignableScopes → assignableScopes, …
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) r[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  const name = r.roleName ?? r.name;
  if (typeof name !== "string" || !name) throw new Error(`${where}: Name (or roleName) is required`);
  const list = (v: unknown, field: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || !x))
      throw new Error(`${where}: ${field} must be an array of action strings`);
    return v as string[];
  };
  let blocks: { actions: string[]; notActions: string[] }[];
  if (r.permissions !== undefined) {
    if (r.actions !== undefined) throw new Error(`${where}: give Actions or permissions, not both`);
    if (!Array.isArray(r.permissions)) throw new Error(`${where}: permissions must be an array`);
    blocks = (r.permissions as Record<string, unknown>[]).map((p, i) => ({
      actions: list(p?.actions, `permissions[${i}].actions`),
      notActions: list(p?.notActions, `permissions[${i}].notActions`),
    }));
  } else {
    blocks = [{ actions: list(r.actions, "Actions"), notActions: list(r.notActions, "NotActions") }];
  }
  return { name, permissions: blocks, ...(typeof def === "string" ? { source: resolve(def) } : {}) };
}

const patternCache = new Map<string, RegExp>();

/** ARM's action matching: case-insensitive, `*` is any run of characters (including `/`). */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

/** Granted when some permission block has a matching action and no matching not-action. */
export function roleAllows(role: Role, action: string): boolean {
  return role.permissions.some(
    (p) => p.actions.some((a) => actionMatches(a, action)) && !p.notActions.some((n) => actionMatches(n, action)),
  );
}

/** The role with only the actions `keep` accepts (in every permission block); the name says which part it is. */
export function roleWith(role: Role, keep: (action: string) => boolean, part: string): Role {
  return {
    ...role,
    name: `${role.name} (${part})`,
    permissions: role.permissions.map((p) => ({ actions: p.actions.filter(keep), notActions: p.notActions })),
  };
}

const scopeSegments = (scope: string): string[] =>
  scope
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s).toLowerCase();
      } catch {
        return s.toLowerCase();
      }
    });

/**
 * Whether an assignment at `assigned` applies to a request at `requested`: the same scope or one below it
 * (resource ids compare case-insensitively, segment by segment: `.../CNAME/prod` does not cover `.../CNAME/prod-1`).
 * One exception, ARM's own: the status URLs of long-running operations
 * (`/subscriptions/{id}/providers/{namespace}/locations/{region}/...`) are under no resource group, and ARM lets a
 * role assigned at a resource group of that subscription read them ("Track asynchronous Azure operations",
 * Permission for tracking async status: "you need sufficient permission at the level of the resource group. If
 * you only have permission at the level of the resource, you can start the operation but you can't track its
 * status").
 */
export function scopeCovers(assigned: string, requested: string): boolean {
  const a = scopeSegments(assigned);
  const r = scopeSegments(requested);
  if (a.length <= r.length && a.every((seg, i) => seg === r[i])) return true;
  const statusUrl = r[0] === "subscriptions" && r[2] === "providers" && r[4] === "locations";
  return statusUrl && a.length === 4 && a[0] === "subscriptions" && a[1] === r[1] && a[2] === "resourcegroups";
}

/** Granted when an assignment whose scope covers the request's has a role that allows its action. */
export function assignmentsAllow(assignments: readonly Assignment[], need: RequiredAction): boolean {
  return assignments.some((a) => scopeCovers(a.scope, need.scope) && roleAllows(a.role, need.action));
}

/** Segment spellings as the resource providers register them (actions are matched case-insensitively anyway). */
const CANONICAL = new Map(
  [
    "Microsoft.Resources",
    "Microsoft.Network",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.Insights",
    "Microsoft.ResourceHealth",
    "availabilityStatuses",
    "subscriptions",
    "resourceGroups",
    "privateDnsZones",
    "virtualNetworkLinks",
    "flexibleServers",
    "configurations",
    "replicas",
    "databases",
    "firewallRules",
    "administrators",
    "locations",
    "azureAsyncOperation",
    "operationResults",
    "providers",
    "A",
    "AAAA",
    "CNAME",
    "MX",
    "PTR",
    "SOA",
    "SRV",
    "TXT",
    "ALL",
    "stop",
    "start",
    "restart",
  ].map((s) => [s.toLowerCase(), s]),
);
const canonical = (seg: string): string => CANONICAL.get(seg.toLowerCase()) ?? seg;

const VERB: Record<string, string> = { GET: "read", HEAD: "read", PUT: "write", PATCH: "write", DELETE: "delete" };

/**
 * The ARM action a request needs, as Azure RBAC names it: `{namespace}/{type}[/{child type}…]/{read|write|delete}`
 * for the resource (or collection) the path names, `…/{name}/action` for a POST to an action endpoint
 * (scope: the resource it acts on). Subscription-level resources such as LRO status URLs map the same way
 * (`Microsoft.DBforPostgreSQL/locations/azureAsyncOperation/read`). Undefined for a path ARM would not route.
 */
export function requiredAction(method: string, path: string): RequiredAction | undefined {
  const m = method.toUpperCase();
  const raw = path.split("/").filter(Boolean);
  const segs = raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const lower = segs.map((s) => s.toLowerCase());
  const scopeOf = (n: number): string => "/" + raw.slice(0, n).join("/");
  let start: number;
  if (lower[0] === "subscriptions" && segs.length >= 2) {
    if (segs.length === 2) return plain(m, "Microsoft.Resources/subscriptions", scopeOf(2));
    if (lower[2] === "providers") start = 3;
    else if (lower[2] === "resourcegroups") {
      if (segs.length === 3) return plain(m, "Microsoft.Resources/subscriptions/resourceGroups", scopeOf(2));
      if (segs.length === 4) return plain(m, "Microsoft.Resources/subscriptions/resourceGroups", scopeOf(4));
      if (lower[4] !== "providers") {
        const types = [
          "Microsoft.Resources/subscriptions/resourceGroups",
          ...segs.slice(4).filter((_, i) => i % 2 === 0),
        ];
        return plain(m, types.join("/"), scopeOf(segs.length));
      }
      start = 5;
    } else return undefined;
  } else if (lower[0] === "providers") start = 1;
  else return undefined;

  const rest = segs.slice(start);
  if (rest.length === 0) return undefined;
  let end = rest.length;
  let actionName: string | undefined;
  if (m === "POST") {
    if (rest.length < 2) return undefined; // a POST to a namespace alone is not an action
    actionName = rest[rest.length - 1];
    end -= 1;
  }
  // {namespace}/{type}/{name}/{type}/{name}…; a nested "providers/{namespace}" is an extension resource, whose
  // action is its own provider's (Microsoft.ResourceHealth/availabilityStatuses/read on a server, as Learn's
  // "Azure resource provider operations" lists it), scoped to the resource it extends.
  let types = [canonical(rest[0]!)];
  for (let i = 1; i < end;) {
    const seg = rest[i]!;
    if (seg.toLowerCase() === "providers" && i + 1 < end) {
      types = [canonical(rest[i + 1]!)];
      i += 2;
      continue;
    }
    types.push(canonical(seg));
    i += 2; // skip the name
  }
  const scope = scopeOf(start + end);
  if (actionName !== undefined) return { action: `${types.join("/")}/${canonical(actionName)}/action`, scope };
  return plain(m, types.join("/"), scope);
}

function plain(method: string, typePath: string, scope: string): RequiredAction | undefined {
  const verb = VERB[method];
  return verb ? { action: `${typePath}/${verb}`, scope } : undefined;
}

/** ARM's answer to a caller whose role assignments do not grant the action. */
export function authorizationFailed(objectId: string, need: RequiredAction): ArmResponse {
  return {
    status: 403,
    headers: { "x-ms-failure-cause": "gateway" },
    body: {
      error: {
        code: "AuthorizationFailed",
        message:
          `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action ` +
          `'${need.action}' over scope '${need.scope}' or the scope is invalid. If access was recently granted, ` +
          "please refresh your credentials.",
      },
    },
  };
}

/** The deployment's roles as the lab holds them (each undefined: not deployed). */
export interface DeployedRoles {
  /** infra/role.json's role. */
  role?: Role;
  /** infra/role-stop.json's role, and the pairs (fence.onReturn "stop") whose servers hold it. */
  stopRole?: { role: Role; pairs: readonly string[] };
  /** infra/role-reprotect.json's role, on the servers' resource groups (re-protection enabled). */
  reprotectRole?: Role;
}

/** A stop role as LabOptions.stopRole gives it: a definition (or its file) and the pairs that hold it. */
export interface StopRoleOption {
  role: RoleDefinition | string;
  pairs: readonly string[];
}

/**
 * The roles the app's identity holds in the lab, and where. `check` answers a request with the 403 it would get,
 * or undefined when an assignment grants it (or no role is enforced, or the path is not one ARM would route).
 * The roles can be replaced while the lab runs (tests take one action away at a time); their scopes stay the
 * deployment's (`assign`).
 */
export class RoleEnforcer {
  private roles: DeployedRoles;
  private granted: Assignment[];
  constructor(
    role: RoleDefinition | string | undefined,
    stopRole: StopRoleOption | undefined,
    /** The object id ARM names in a refusal: the app's managed identity. */
    readonly objectId: string,
    /** Where the deployment assigns each role (./assignments.ts). */
    private readonly assign: (roles: DeployedRoles) => Assignment[],
    reprotectRole?: RoleDefinition | string,
  ) {
    this.roles = {
      ...(role === undefined ? {} : { role: loadRole(role) }),
      ...(stopRole === undefined ? {} : { stopRole: { role: loadRole(stopRole.role), pairs: [...stopRole.pairs] } }),
      ...(reprotectRole === undefined ? {} : { reprotectRole: loadRole(reprotectRole) }),
    };
    this.granted = assign(this.roles);
  }

  /** infra/role.json's role as now enforced (undefined: not assigned). */
  get current(): Role | undefined {
    return this.roles.role;
  }

  /** Every assignment now in force. */
  get assignments(): Assignment[] {
    return [...this.granted];
  }

  /** No role at all: nothing is enforced, every action is allowed. */
  get enforced(): boolean {
    return this.roles.role !== undefined || this.roles.stopRole !== undefined || this.roles.reprotectRole !== undefined;
  }

  setReprotectRole(role: RoleDefinition | string | undefined): void {
    const { reprotectRole: _old, ...rest } = this.roles;
    this.roles = role === undefined ? rest : { ...rest, reprotectRole: loadRole(role) };
    this.granted = this.assign(this.roles);
  }

  set(role: RoleDefinition | string | undefined): void {
    const { role: _old, ...rest } = this.roles;
    this.roles = role === undefined ? rest : { ...rest, role: loadRole(role) };
    this.granted = this.assign(this.roles);
  }

  setStopRole(stopRole: StopRoleOption | undefined): void {
    const { stopRole: _old, ...rest } = this.roles;
    this.roles =
      stopRole === undefined
        ? rest
        : { ...rest, stopRole: { role: loadRole(stopRole.role), pairs: [...stopRole.pairs] } };
    this.granted = this.assign(this.roles);
  }

  check(method: string, path: string): ArmResponse | undefined {
    if (!this.enforced) return undefined;
    const need = requiredAction(method, path);
    if (!need || assignmentsAllow(this.granted, need)) return undefined;
    return authorizationFailed(this.objectId, need);
  }
}
