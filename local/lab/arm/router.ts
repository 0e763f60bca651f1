// Request/response shapes shared by the emulator's route modules, and ARM path helpers.
import type { IncomingHttpHeaders } from "node:http";
import { notFound } from "./errors";

export interface ArmRequest {
  method: string;
  /** path without query, as sent */
  path: string;
  /** path segments (decoded), original case */
  segs: string[];
  /** the same, lower-cased for matching: ARM paths are case-insensitive */
  lower: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  apiVersion: string;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route module: returns undefined when the path is not its own. */
export type Routes = (req: ArmRequest) => Promise<ArmResponse | undefined> | ArmResponse | undefined;

export interface Scope {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * Matches /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/rest...] (case-insensitive).
 * A wrong subscription or resource group is a 404 with ARM's codes.
 */
export function matchResource(
  req: ArmRequest,
  scope: Scope,
  ns: string,
  type: string,
): { name: string; rest: string[]; restLower: string[] } | undefined {
  const l = req.lower;
  if (
    l.length < 7 ||
    l[0] !== "subscriptions" ||
    l[2] !== "resourcegroups" ||
    l[4] !== "providers" ||
    l[5] !== ns.toLowerCase() ||
    l[6] !== type.toLowerCase()
  )
    return undefined;
  checkScope(req, scope);
  return { name: req.segs[7] ?? "", rest: req.segs.slice(8), restLower: l.slice(8) };
}

export function checkScope(req: ArmRequest, scope: Scope): void {
  if (req.lower[1] !== scope.subscriptionId.toLowerCase())
    throw notFound("SubscriptionNotFound", `The subscription '${req.segs[1]}' could not be found.`);
  if (req.lower[2] === "resourcegroups" && req.lower[3] !== scope.resourceGroup.toLowerCase()) {
    throw notFound("ResourceGroupNotFound", `Resource group '${req.segs[3]}' could not be found.`);
  }
}

export const headerValue = (req: ArmRequest, name: string): string | undefined => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
