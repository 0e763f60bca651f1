// The token issuer's HTTPS front on 127.0.0.1 (a free port, a lab-CA certificate): reads the body, sends JSON,
// and on close ends open connections too (a keep-alive client must not hold the lab's stop).
import https from "node:https";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface IssuerRequest {
  method: string;
  /** Path without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body text ("" when none). */
  body: string;
}

export interface IssuerResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type IssuerHandler = (req: IssuerRequest) => Promise<IssuerResponse> | IssuerResponse;

export interface HttpsServer {
  port: number;
  /** Attach the routes (they need the port); until then every call gets 503. */
  mount(handle: IssuerHandler): void;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: IssuerResponse): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, {
    ...r.headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startHttpsServer(o: {
  cert: string;
  key: string;
  log: (line: string) => void;
}): Promise<HttpsServer> {
  const sockets = new Set<Socket>();
  let handle: IssuerHandler | undefined;
  const server = https.createServer({ cert: o.cert, key: o.key, keepAliveTimeout: 5000 }, (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "https://issuer.invalid");
        const body = await readBody(req);
        if (!handle) {
          send(res, { status: 503, body: { error: "temporarily_unavailable", error_description: "starting" } });
          return;
        }
        send(
          res,
          await handle({
            method: (req.method ?? "GET").toUpperCase(),
            path: url.pathname,
            headers: req.headers,
            body,
          }),
        );
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          send(res, { status: 413, body: { error: "invalid_request", error_description: "body: too large" } });
          return;
        }
        o.log(`identity: internal error: ${(e as Error).stack ?? String(e)}`);
        send(res, { status: 500, body: { error: "server_error", error_description: "lab issuer error" } });
      }
    })();
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => undefined); // a client that distrusts the lab CA: its problem, not a lab error
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    mount: (h) => {
      handle = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
