// fetch() over node:https with the CA of our choosing: Node 20's global fetch takes no CA, and the lab's servers
// have lab-CA certificates. Used for jose's customFetch (remote JWKS) and raw calls to the token issuer.
import https from "node:https";

export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: string;
  signal?: AbortSignal;
}

/** ca: PEM to trust instead of Node's roots; undefined = Node's roots (the lab CA is not among them). */
export function caFetch(ca: string | undefined) {
  return (url: string | URL, init: FetchInit = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const headers = init.headers instanceof Headers ? Object.fromEntries(init.headers.entries()) : init.headers;
      const req = https.request(url, { method: init.method ?? "GET", headers, ca, signal: init.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
        });
      });
      req.on("error", reject);
      req.end(init.body);
    });
}

/** A JSON call: status, headers and the parsed body. */
export async function jsonCall(
  ca: string | undefined,
  url: string,
  init: FetchInit = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await caFetch(ca)(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
