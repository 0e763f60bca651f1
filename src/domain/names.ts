/** DNS names compare case-insensitively and with or without the trailing root dot. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, "");
}

export function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeName(a) === normalizeName(b);
}

export function sameResourceId(a: string | undefined | null, b: string | undefined | null): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** A Flexible Server's ARM id: subscription, resource group and name. */
export const FLEX_ID =
  /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DBforPostgreSQL\/flexibleServers\/([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*)$/i;

/** A pair's name: it becomes part of the instance id (failover-<name>) and is what the API accepts. */
export const PAIR_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const PAIR_NAME_RULE = "1-40 lower-case letters, digits or '-', not starting or ending with '-'";

export function parseServerId(resourceId: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m = FLEX_ID.exec(resourceId);
  if (!m) throw new Error(`not a Flexible Server resource id: ${resourceId}`);
  // Stryker disable next-line StringLiteral: the id matched FLEX_ID, whose three groups always hold text
  const [, subscriptionId = "", resourceGroup = "", name = ""] = m;
  return { subscriptionId, resourceGroup, name };
}

/** One DNS label: a record's name relative to its zone. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
