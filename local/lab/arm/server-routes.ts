// Microsoft.DBforPostgreSQL/flexibleServers: GET/list, PUT (create a replica LRO), PATCH (promote LRO), DELETE (LRO),
// /replicas, /stop, /start, /configurations.
import { ArmError, badRequest, notFound } from "./errors";
import { checkScope, matchResource, type Routes, type Scope } from "./router";
import type { Operations } from "./operations";
import { parsePromote } from "../flex/promote-request";
import type { CreateReplica, FlexServers } from "../flex/servers";

/** A PUT body the lab emulates: `createMode: Replica` with the source's id and a location; anything else is a 400. */
function parseCreateReplica(name: string, body: unknown): CreateReplica {
  const b = (typeof body === "object" && body !== null ? body : {}) as {
    location?: unknown;
    properties?: { createMode?: unknown; sourceServerResourceId?: unknown };
  };
  const p = b.properties ?? {};
  if (typeof p.createMode !== "string" || p.createMode.toLowerCase() !== "replica")
    throw badRequest(
      "InvalidParameterValue",
      "The lab creates read replicas only: properties.createMode must be 'Replica'.",
    );
  if (typeof p.sourceServerResourceId !== "string" || !p.sourceServerResourceId)
    throw badRequest(
      "InvalidParameterValue",
      "properties.sourceServerResourceId is required with createMode 'Replica'.",
    );
  if (typeof b.location !== "string" || !b.location) throw badRequest("InvalidParameterValue", "location is required.");
  return { name, location: b.location, sourceServerResourceId: p.sourceServerResourceId };
}

const notAllowed = (method: string, what: string): ArmError =>
  new ArmError(405, "MethodNotAllowed", `${method} is not allowed on ${what}.`);

/** A server that went away between the state check and the query is a 409, not a 500. */
async function dataPlane<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ArmError) throw e;
    if (
      /ECONNREFUSED|ECONNRESET|terminating connection|shutting down|starting up|Connection terminated/i.test(
        `${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`,
      )
    ) {
      throw new ArmError(
        409,
        "ServerNotReady",
        `Server '${name}' is not accepting connections: ${(e as Error).message}`,
      );
    }
    throw e;
  }
}

export function serverRoutes(scope: Scope, servers: FlexServers, ops: Operations): Routes {
  return async (req) => {
    const m = matchResource(req, scope, "Microsoft.DBforPostgreSQL", "flexibleServers");
    if (!m) return undefined;
    if (m.name === "") {
      if (req.method !== "GET") throw notAllowed(req.method, "the server collection");
      return { status: 200, body: { value: servers.all.map((s) => servers.resource(s)) } };
    }
    const [sub, arg, ...extra] = m.restLower;
    if (extra.length > 0) return undefined;
    if (sub === undefined && req.method === "PUT") {
      // Create (the REST spec's ServerCreateReplica example, 2025-08-01): Servers_CreateOrUpdate lists only 202 with
      // Azure-AsyncOperation, Location and Retry-After (201 appears only in the 2023-12-01-preview example).
      const create = parseCreateReplica(m.name, req.body);
      return ops.accepted(servers.startCreateReplica(create), req.apiVersion, { asyncOperation: true, location: true });
    }
    const s = servers.mustFind(m.name);
    if (sub === undefined) {
      if (req.method === "GET") return { status: 200, body: servers.resource(s) };
      // DELETE: 202 + Azure-AsyncOperation + Location (Servers - Delete in the REST spec: 200, 202, 204).
      if (req.method === "DELETE")
        return ops.accepted(servers.startDelete(s), req.apiVersion, { asyncOperation: true, location: true });
      if (req.method !== "PATCH") throw notAllowed(req.method, "a server (the lab emulates GET, PUT, PATCH, DELETE)");
      const promote = parsePromote(req.body);
      if (promote)
        return ops.accepted(servers.startPromote(s, promote.option), req.apiVersion, {
          asyncOperation: true,
          location: true,
        });
      // A non-promote PATCH: only tags are applied; it still completes as an LRO like the RP's.
      const tags = (req.body as { tags?: unknown } | undefined)?.tags;
      if (tags && typeof tags === "object") s.tags = { ...(tags as Record<string, string>) };
      const op = ops.create("update", s.info.name, s.info.region, () => servers.resource(s));
      ops.run(
        op,
        async () => undefined,
        () => undefined,
      );
      return ops.accepted(op, req.apiVersion, { asyncOperation: true, location: true });
    }
    if (sub === "replicas" && arg === undefined) {
      if (req.method !== "GET") throw notAllowed(req.method, "replicas");
      return { status: 200, body: { value: servers.replicasOf(s).map((r) => servers.resource(r)) } };
    }
    if ((sub === "stop" || sub === "start") && arg === undefined) {
      if (req.method !== "POST") throw notAllowed(req.method, sub);
      const op = sub === "stop" ? servers.startStop(s) : servers.startStart(s);
      return ops.accepted(op, req.apiVersion, { asyncOperation: false, location: true });
    }
    if (sub === "configurations") {
      const name = m.rest[1]; // as sent (arg is lower-cased)
      if (name === undefined) {
        if (req.method !== "GET") throw notAllowed(req.method, "configurations");
        return { status: 200, body: await dataPlane(s.info.name, () => servers.parameters.list(s)) };
      }
      if (req.method === "GET")
        return { status: 200, body: await dataPlane(s.info.name, () => servers.parameters.get(s, name)) };
      if (req.method === "PUT" || req.method === "PATCH") {
        return ops.accepted(
          await dataPlane(s.info.name, () => servers.parameters.startPut(s, name, req.body)),
          req.apiVersion,
          { asyncOperation: true, location: false },
        );
      }
      throw notAllowed(req.method, "a configuration");
    }
    throw notFound("NotFound", `The lab does not emulate '${req.path}'.`);
  };
}

/** /subscriptions/{sub}/providers/Microsoft.DBforPostgreSQL/locations/{loc}/(azureAsyncOperation|operationResults)/{id} */
export function operationRoutes(scope: Scope, ops: Operations): Routes {
  return (req) => {
    const [subscriptions, , providers, ns, locations, , kind] = req.lower;
    const id = req.segs[7];
    if (
      req.lower.length !== 8 ||
      id === undefined ||
      subscriptions !== "subscriptions" ||
      providers !== "providers" ||
      ns !== "microsoft.dbforpostgresql" ||
      locations !== "locations"
    )
      return undefined;
    if (kind !== "azureasyncoperation" && kind !== "operationresults") return undefined;
    checkScope(req, scope);
    if (req.method !== "GET") throw notAllowed(req.method, "an operation");
    const op = ops.get(id);
    if (!op) throw notFound("OperationNotFound", `Operation '${id}' was not found.`);
    if (kind === "azureasyncoperation") return { status: 200, body: ops.statusBody(op), headers: ops.pollHeaders(op) };
    // Location semantics: 202 while running, the resource when done, the error status when failed.
    if (op.status === "InProgress") return { status: 202, headers: ops.pollHeaders(op) };
    if (op.status === "Failed") return { status: 500, body: { error: op.error } };
    const result = op.result();
    return result === undefined ? { status: 204 } : { status: 200, body: result };
  };
}
