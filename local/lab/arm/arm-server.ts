// The ARM emulator's HTTPS front: bearer auth, api-version check, faults, request log, and dispatch to
// the route modules. Errors always come back in ARM's {error:{code,message}} shape.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { ArmError } from "./errors";
import type { ArmRequest, ArmResponse, Routes } from "./router";
import type { Faults } from "../faults";
import type { Admission } from "./throttle";

export interface ArmRequestRecord {
  time: string;
  method: string;
  path: string;
  query: string;
  /** 0 when the connection was dropped (fault) or the client went away */
  status: number;
  /** The injected fault's kind, or "throttled" (answered 429 by the subscription throttling). */
  fault?: string;
}

export interface ArmServerOptions {
  cert: string;
  key: string;
  /** The app's token: held to the role (authorize) when one is enforced. */
  token: string;
  /** The lab's own unrestricted token (lab control, tests acting as a person). */
  adminToken: string;
  /** The app's token only: a refusal (403 AuthorizationFailed) for an action its role does not grant. */
  authorize?: (method: string, path: string) => ArmResponse | undefined;
  faults: Faults;
  /** ARM's subscription throttling (arm/throttle.ts): counted before faults, as ARM throttles before the RP. */
  throttle?: { admit(method: string, path: string): Admission };
  log: (line: string) => void;
}

export interface MountedRoutes {
  arm: Routes[];
  /** control routes under /_lab/ (either token; never logged, faulted or held to the role) */
  lab: Routes;
}

export interface ArmServer {
  endpoint: string;
  port: number;
  requests(): ArmRequestRecord[];
  clearRequests(): void;
  /** Attach the routes once what they serve exists; until then every call gets 503 (the lab is starting). */
  mount(routes: MountedRoutes): void;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ArmError(413, "RequestEntityTooLarge", "The request body is too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: ArmResponse): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = {
    "x-ms-request-id": randomUUID(),
    "x-ms-correlation-request-id": randomUUID(),
    ...r.headers,
  };
  if (r.body !== undefined) {
    const text = JSON.stringify(r.body);
    res.writeHead(r.status, {
      ...headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  } else {
    res.writeHead(r.status, { ...headers, "Content-Length": 0 });
    res.end();
  }
}

export async function startArmServer(o: ArmServerOptions): Promise<ArmServer> {
  const log: ArmRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const releases = new Set<() => void>();
  let closing = false;
  let mounted: MountedRoutes | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://lab.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const segs = url.pathname
      .split("/")
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    const isLab = segs[0]?.toLowerCase() === "_lab";
    const record: ArmRequestRecord = {
      time: new Date().toISOString(),
      method,
      path: url.pathname,
      query: url.search,
      status: 0,
    };
    if (!isLab) {
      log.push(record);
      res.on("finish", () => {
        record.status = res.statusCode;
      });
    }

    const auth = req.headers.authorization ?? "";
    const asApp = auth === `Bearer ${o.token}`;
    if (!asApp && auth !== `Bearer ${o.adminToken}`) {
      send(res, {
        status: 401,
        body: {
          error: {
            code: "AuthenticationFailed",
            message: auth
              ? "The access token is invalid."
              : "Authentication failed. The 'Authorization' header is missing.",
          },
        },
      });
      return;
    }
    const denied = asApp && !isLab ? o.authorize?.(method, url.pathname) : undefined;
    if (denied) {
      send(res, denied);
      return;
    }

    if (!isLab && o.throttle) {
      const admission = o.throttle.admit(method, url.pathname);
      for (const [k, v] of Object.entries(admission.headers)) res.setHeader(k, v);
      if (admission.reject) {
        record.fault = "throttled";
        send(res, admission.reject);
        return;
      }
    }

    if (!isLab) {
      const fault = o.faults.takeRequestFault(method, url.pathname);
      if (fault) {
        record.fault = fault.kind;
        if (fault.kind === "drop") {
          req.socket.destroy();
          return;
        }
        if (fault.kind === "status") {
          const headers: Record<string, string> = {};
          if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
          else if (fault.status === 429 || fault.status === 503) headers["Retry-After"] = "1";
          const code =
            fault.code ??
            (
              { 429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable" } as Record<
                number,
                string
              >
            )[fault.status] ??
            "InjectedFault";
          send(res, {
            status: fault.status,
            headers,
            body: { error: { code, message: fault.message ?? `Fault injected by the lab (${fault.status}).` } },
          });
          return;
        }
        if (fault.kind === "stall") {
          // Hold the request; "until cleared" ends when the fault is cleared (or the lab stops).
          await new Promise<void>((resolve) => {
            const release = (): void => {
              releases.delete(release);
              off();
              clearTimeout(timer);
              req.socket.off("close", release);
              resolve();
            };
            const untilCleared = fault.ms === undefined ? o.faults.cleared(fault.id) : undefined;
            void untilCleared?.done.then(release);
            const off = (): void => untilCleared?.cancel();
            const timer = fault.ms !== undefined ? setTimeout(release, fault.ms) : undefined;
            releases.add(release);
            req.socket.once("close", release);
          });
          if (closing || req.socket.destroyed) return;
        }
      }
    }

    let body: unknown;
    try {
      const text = await readBody(req);
      if (text.trim()) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized.",
          );
        }
      }
      const apiVersion = url.searchParams.get("api-version");
      if (!isLab && !apiVersion)
        throw new ArmError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      const armReq: ArmRequest = {
        method,
        path: url.pathname,
        segs,
        lower: segs.map((s) => s.toLowerCase()),
        query: url.searchParams,
        headers: req.headers,
        body,
        apiVersion: apiVersion ?? "",
      };
      if (!mounted) throw new ArmError(503, "ServiceUnavailable", "The lab is still starting.");
      for (const r of isLab ? [mounted.lab] : mounted.arm) {
        const out = await r(armReq);
        if (out) {
          send(res, out);
          return;
        }
      }
      throw new ArmError(404, "NotFound", `No route for ${method} '${url.pathname}' in the lab's ARM emulator.`);
    } catch (e) {
      if (e instanceof ArmError) {
        send(res, { status: e.status, body: e.body() });
        return;
      }
      o.log(`arm: internal error on ${method} ${url.pathname}: ${(e as Error).stack ?? e}`);
      send(res, {
        status: 500,
        body: { error: { code: "InternalServerError", message: `Lab emulator error: ${(e as Error).message}` } },
      });
    }
  };

  const server = https.createServer({ cert: o.cert, key: o.key, keepAliveTimeout: 5000 }, (req, res) => {
    handle(req, res).catch((e) => {
      o.log(`arm: ${String(e)}`);
      res.destroy();
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    port,
    requests: () => log.map((r) => ({ ...r })),
    clearRequests: () => {
      log.length = 0;
    },
    mount: (routes) => {
      mounted = routes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const r of [...releases]) r();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
