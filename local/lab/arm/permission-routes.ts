// Microsoft.Authorization/permissions on a resource: what the caller may do there, computed from the lab's own role
// assignments (./rbac.ts, as infra/main.bicep assigns the roles). Shape: azure-rest-api-specs, specification/
// authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01 ("Permissions - List For Resource",
// GET {resourceId}/providers/Microsoft.Authorization/permissions → PermissionGetResult {value: Permission[],
// nextLink}; Permission {actions, notActions, dataActions, notDataActions}): one block per role assignment whose
// scope covers the resource ("Understand scope for Azure RBAC": lower levels inherit). The read itself is the
// action Microsoft.Authorization/permissions/read, held to the app's role like any other (infra/role.json grants
// it where the role is assigned; elsewhere the app gets ARM's 403). The lab's admin token acts as a person with
// Owner would (`*`), as does the app when no role is enforced.
import { checkScope, headerValue, type ArmRequest, type Routes, type Scope } from "./router";
import { scopeCovers, type RoleEnforcer } from "./rbac";

export function permissionRoutes(scope: Scope, rbac: RoleEnforcer, appToken: string): Routes {
  return (req: ArmRequest) => {
    const l = req.lower;
    const n = l.length;
    const isPermissions =
      req.method === "GET" &&
      n >= 4 &&
      l[0] === "subscriptions" &&
      l[n - 3] === "providers" &&
      l[n - 2] === "microsoft.authorization" &&
      l[n - 1] === "permissions";
    if (!isPermissions) return undefined;
    checkScope(req, scope);
    const resource = "/" + req.segs.slice(0, n - 3).join("/");
    const asApp = headerValue(req, "authorization") === `Bearer ${appToken}`;
    const blocks =
      asApp && rbac.enforced
        ? rbac.assignments
            .filter((a) => scopeCovers(a.scope, resource))
            .flatMap((a) => a.role.permissions.map((p) => ({ actions: p.actions, notActions: p.notActions })))
        : [{ actions: ["*"], notActions: [] }];
    return {
      status: 200,
      body: { value: blocks.map((b) => ({ ...b, dataActions: [], notDataActions: [] })) },
    };
  };
}
