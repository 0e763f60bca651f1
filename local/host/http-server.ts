// The host's HTTP surface on 127.0.0.1: /<routePrefix>/<route> for HTTP triggers and the
// Durable HTTP API under /runtime/webhooks/durabletask (plus the RPC base used by DurableClient).
// App Service Authentication (easy-auth.ts), when on, serves /.auth/* and sees every other request first;
// then a request is routed and authorized by key before its body is read; bodies are capped (http-body.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleAdminInvoke, type AdminContext } from "./admin-api";
import { AUTH_PREFIX, MAX_AUTH_BODY_BYTES } from "./auth-endpoints";
import { RPC_PATH, WEBHOOK_PATH, type ClientInputData } from "./client-input";
import { handleDurableApi, type DurableApiContext } from "./durable-api";
import type { EasyAuth } from "./easy-auth";
import { announcesBody, readBodyWithin } from "./http-body";
import { runHttpFunction } from "./http-trigger";
import { decodeSegment, sendJson } from "./http-util";
import type { Invoker } from "./invoker";
import { authorizeDurableApi, authorizeFunction, presentedKey } from "./keys";
import type { Logger } from "./log";
import { describeTarget } from "./redact";

export interface HttpServerDeps {
  durable: DurableApiContext;
  admin: AdminContext;
  invoker: Invoker;
  logger: Logger;
  routePrefix: string;
  functionTimeoutMs: number | null;
  clientInput: () => ClientInputData;
  /** Larger request bodies are refused with 413. */
  maxBodyBytes: number;
  /** App Service Authentication in front of everything, when it is on. */
  easyAuth: EasyAuth | null;
}

interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}
/** What a request resolves to before its body is read: a refusal, or the handler for the body. */
type Target = Refusal | { run: (body: Buffer) => unknown };

const refused = (status: number, message: string, headers?: Record<string, string>): Refusal => ({
  status,
  message,
  headers,
});
const UNAUTHORIZED = refused(401, "Unauthorized");

export function createHttpServer(deps: HttpServerDeps): Server {
  const { durable, logger } = deps;
  const prefix = deps.routePrefix === "" ? "/" : `/${deps.routePrefix}/`;
  const rpcPrefix = `${RPC_PATH}/${encodeURIComponent(durable.keys.systemKey)}/`;
  const secrets = () => [durable.keys.functionKey, durable.keys.masterKey, durable.keys.systemKey];

  const resolveTarget = (req: IncomingMessage, res: ServerResponse, url: URL, method: string): Target => {
    const path = url.pathname;
    const key = presentedKey(url, req.headers);
    const durableApi = (rest: string): Target => ({
      run: (body) => handleDurableApi(durable, method, rest, url, body, req.headers, res),
    });
    if (path.startsWith(`${RPC_PATH}/`)) {
      return path.startsWith(rpcPrefix) ? durableApi(path.slice(rpcPrefix.length)) : UNAUTHORIZED;
    }
    if (path === WEBHOOK_PATH || path.startsWith(`${WEBHOOK_PATH}/`)) {
      return authorizeDurableApi(key, durable.keys) ? durableApi(path.slice(WEBHOOK_PATH.length)) : UNAUTHORIZED;
    }
    if (path === "/admin/host/status") {
      if (!authorizeFunction("admin", key, durable.keys)) return UNAUTHORIZED;
      return { run: () => sendJson(res, 200, { state: "Running" }) };
    }
    const adminFunction = /^\/admin\/functions\/([^/]+)\/?$/.exec(path);
    if (adminFunction) {
      if (!authorizeFunction("admin", key, durable.keys)) return UNAUTHORIZED;
      if (method !== "POST") return refused(405, `Method ${method} not allowed`, { allow: "POST" });
      return { run: (body) => handleAdminInvoke(deps.admin, decodeSegment(adminFunction[1]!), body, res) };
    }
    if (!(path + "/").startsWith(prefix)) return refused(404, `No route for ${path}`);
    const rest = path.slice(prefix.length - 1);
    let methodMismatch: string[] | null = null;
    for (const fn of durable.registry.http) {
      const params = fn.route.match(rest);
      if (!params) continue;
      if (fn.methods && !fn.methods.includes(method)) {
        methodMismatch = fn.methods;
        continue;
      }
      if (!authorizeFunction(fn.authLevel, key, durable.keys)) return UNAUTHORIZED;
      const run = (body: Buffer) =>
        runHttpFunction(fn, req, url, params, body, res, {
          invoker: deps.invoker,
          logger,
          timeoutMs: deps.functionTimeoutMs,
          clientInput: deps.clientInput,
        });
      return { run };
    }
    if (methodMismatch) return refused(405, `Method ${method} not allowed`, { allow: methodMismatch.join(", ") });
    return refused(404, `No function matches ${path}`);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> => {
    const url = new URL(req.url ?? "/", durable.baseUrl());
    const method = (req.method ?? "GET").toUpperCase();
    // A refused request's body is never read: close the connection instead of draining it.
    const refuse = (t: Refusal) =>
      sendJson(
        res,
        t.status,
        { message: t.message },
        { ...t.headers, ...(announcesBody(req) ? { connection: "close" } : {}) },
      );
    // Easy Auth's own endpoints (sign-in, sign-out) are served by it, never by the Functions host.
    if (deps.easyAuth && url.pathname.toLowerCase().startsWith(AUTH_PREFIX)) {
      return deps.easyAuth.endpoint(req, res, url, () => readBodyWithin(req, MAX_AUTH_BODY_BYTES));
    }
    // App Service Authentication runs in front of the Functions host: before routing and key checks.
    const denied = deps.easyAuth ? await deps.easyAuth.authenticate(req, url) : null;
    if (denied) {
      res.writeHead(denied.status, {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(denied.body),
        ...denied.headers,
        ...(announcesBody(req) ? { connection: "close" } : {}),
      });
      res.end(denied.body);
      return;
    }
    const target = resolveTarget(req, res, url, method);
    if ("status" in target) return refuse(target);
    const tooLarge = refused(413, `The request body exceeds the limit of ${deps.maxBodyBytes} bytes.`);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > deps.maxBodyBytes) return refuse(tooLarge);
    if (expectsContinue) res.writeContinue();
    const body = await readBodyWithin(req, deps.maxBodyBytes);
    if (body === null) return refuse(tooLarge);
    await target.run(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
    serve(req, res, expectsContinue).catch((err: unknown) => {
      logger.hostError(
        `request ${req.method} ${describeTarget(req.url, secrets())} failed: ${(err as Error).stack ?? String(err)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { message: "Internal host error" });
      else res.end();
    });
  };
  const server = createServer((req, res) => handle(req, res, false));
  // Expect: 100-continue: answer 100 only once the request is authorized and within the size limit.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => handle(req, res, true));
  return server;
}
