// The ARM actions the app needs on each of a pair's scopes, and whether the permissions the caller holds there
// grant them. Matching is Azure RBAC's ("Understand Azure role definitions", Actions / NotActions: wildcards,
// case-insensitive; an action is granted by a permission block that lists it and does not exclude it).
// The lists follow infra/role.json (a unit test holds them to it); the operation-status reads are granted on
// the resource groups, not on these scopes, and are left out.

/** One permission block as `Permissions - List For Resource` returns it (api-version 2022-04-01). */
export interface PermissionBlock {
  actions: string[];
  notActions: string[];
}

export const NEEDED_ON_SERVER = [
  "Microsoft.DBforPostgreSQL/flexibleServers/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/write",
  "Microsoft.DBforPostgreSQL/flexibleServers/configurations/read",
  "Microsoft.DBforPostgreSQL/flexibleServers/configurations/write",
  "Microsoft.ResourceHealth/availabilityStatuses/read",
] as const;

export const NEEDED_ON_CNAME = [
  "Microsoft.Network/privateDnsZones/CNAME/read",
  "Microsoft.Network/privateDnsZones/CNAME/write",
] as const;

export function actionMatches(pattern: string, action: string): boolean {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i").test(action);
}

/** The needed actions no permission block grants. */
export function missingActions(needed: readonly string[], held: readonly PermissionBlock[]): string[] {
  return needed.filter(
    (action) =>
      !held.some(
        (b) => b.actions.some((a) => actionMatches(a, action)) && !b.notActions.some((n) => actionMatches(n, action)),
      ),
  );
}
