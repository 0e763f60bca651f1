// Where the deployment assigns the app's roles, for the lab's pairs — what infra/main.bicep does in Azure:
// - infra/role.json's actions on each pair's CNAME record set and on both of its servers, nowhere else (not the
//   zone: another CNAME in it is out of reach);
// - its LRO status reads (`…/locations/…/read`) on the servers' resource groups, where ARM checks them;
// - infra/role-stop.json's role on both servers of each pair whose fence.onReturn is "stop" (either may be the
//   old primary the fence watch stops), and on no other.
// - infra/role-reprotect.json's role (optional) on the servers' resource groups: a server it creates has no
//   scope of its own before it exists.
// A test compares this with the compiled template (test/infra/role.test.ts).
import { roleWith, type Assignment, type DeployedRoles } from "./rbac";

/** A pair as the deployment sees it: its name, its CNAME record set's resource id and its servers' ids. */
export interface DeployedPair {
  name: string;
  cnameRecordSetId: string;
  serverIds: string[];
}

/** As main.bicep splits role.json: the operation-status reads (granted on resource groups) and the rest. */
export const isStatusRead = (action: string): boolean => action.toLowerCase().includes("/locations/");

/** `/subscriptions/{id}/resourceGroups/{name}` of a resource id. */
export function resourceGroupOf(resourceId: string): string {
  const segs = resourceId.split("/").filter(Boolean);
  if (segs.length < 4 || segs[0]!.toLowerCase() !== "subscriptions" || segs[2]!.toLowerCase() !== "resourcegroups")
    throw new Error(`not a resource id in a resource group: ${resourceId}`);
  return `/${segs.slice(0, 4).join("/")}`;
}

export function deploymentAssignments(roles: DeployedRoles, pairs: readonly DeployedPair[]): Assignment[] {
  const out: Assignment[] = [];
  if (roles.role) {
    const resources = roleWith(roles.role, (a) => !isStatusRead(a), "resources");
    const status = roleWith(roles.role, isStatusRead, "operation status");
    for (const p of pairs) {
      out.push({ role: resources, scope: p.cnameRecordSetId });
      for (const id of p.serverIds) out.push({ role: resources, scope: id });
    }
    const groups = new Map(pairs.flatMap((p) => p.serverIds).map((id) => [resourceGroupOf(id).toLowerCase(), id]));
    for (const id of groups.values()) out.push({ role: status, scope: resourceGroupOf(id) });
  }
  if (roles.stopRole) {
    const known = new Set(pairs.map((p) => p.name));
    const unknown = roles.stopRole.pairs.filter((n) => !known.has(n));
    if (unknown.length) throw new Error(`stopRole.pairs: no pair ${unknown.map((n) => `'${n}'`).join(", ")}`);
    for (const p of pairs)
      if (roles.stopRole.pairs.includes(p.name))
        for (const id of p.serverIds) out.push({ role: roles.stopRole.role, scope: id });
  }
  if (roles.reprotectRole) {
    const groups = new Set(pairs.flatMap((p) => p.serverIds).map((id) => resourceGroupOf(id)));
    for (const g of groups) out.push({ role: roles.reprotectRole, scope: g });
  }
  return out;
}
