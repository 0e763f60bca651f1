// The host's HTTP surface on 127.0.0.1: /<routePrefix>/<route> for HTTP triggers and the
// Durable HTTP API under /runtime/webhooks/durabletask (plus the RPC base used by DurableClient).
import { createServer, type Server } from "node:http";
import { RPC_PATH, WEBHOOK_PATH, type ClientInputData } from "./client-input";
import { handleDurableApi, type DurableApiContext } from "./durable-api";
import { runHttpFunction } from "./http-trigger";
import { readBody, sendJson } from "./http-util";
import type { Invoker } from "./invoker";
import { authorizeDurableApi, authorizeFunction, presentedKey } from "./keys";
import type { Logger } from "./log";

export interface HttpServerDeps {
  durable: DurableApiContext;
  invoker: Invoker;
  logger: Logger;
  routePrefix: string;
  functionTimeoutMs: number | null;
  clientInput: () => ClientInputData;
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const { durable, logger } = deps;
  const prefix = deps.routePrefix === "" ? "/" : `/${deps.routePrefix}/`;
  const rpcPrefix = `${RPC_PATH}/${encodeURIComponent(durable.keys.systemKey)}/`;
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", durable.baseUrl());
      const path = url.pathname;
      const method = (req.method ?? "GET").toUpperCase();
      const body = await readBody(req);
      const key = presentedKey(url, req.headers);

      if (path.startsWith(`${RPC_PATH}/`)) {
        if (!path.startsWith(rpcPrefix)) return sendJson(res, 401, { message: "Unauthorized" });
        return handleDurableApi(durable, method, path.slice(rpcPrefix.length), url, body, req.headers, res);
      }
      if (path === WEBHOOK_PATH || path.startsWith(`${WEBHOOK_PATH}/`)) {
        if (!authorizeDurableApi(key, durable.keys)) return sendJson(res, 401, { message: "Unauthorized" });
        return handleDurableApi(durable, method, path.slice(WEBHOOK_PATH.length), url, body, req.headers, res);
      }
      if (path === "/admin/host/status") {
        if (!authorizeFunction("admin", key, durable.keys)) return sendJson(res, 401, { message: "Unauthorized" });
        return sendJson(res, 200, { state: "Running" });
      }
      if (!(path + "/").startsWith(prefix)) return sendJson(res, 404, { message: `No route for ${path}` });
      const rest = path.slice(prefix.length - 1);
      let methodMismatch: string[] | null = null;
      for (const fn of deps.durable.registry.http) {
        const params = fn.route.match(rest);
        if (!params) continue;
        if (fn.methods && !fn.methods.includes(method)) {
          methodMismatch = fn.methods;
          continue;
        }
        if (!authorizeFunction(fn.authLevel, key, durable.keys)) return sendJson(res, 401, { message: "Unauthorized" });
        return runHttpFunction(fn, req, url, params, body, res, {
          invoker: deps.invoker,
          logger,
          timeoutMs: deps.functionTimeoutMs,
          clientInput: deps.clientInput,
        });
      }
      if (methodMismatch)
        return sendJson(res, 405, { message: `Method ${method} not allowed` }, { allow: methodMismatch.join(", ") });
      return sendJson(res, 404, { message: `No function matches ${path}` });
    })().catch((err: unknown) => {
      logger.hostError(
        `request ${req.method} ${req.url?.split("?")[0]} failed: ${(err as Error).stack ?? String(err)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { message: "Internal host error" });
      else res.end();
    });
  });
}
