// fetch() for the Entra authority's discovery documents and keys, over node:https so that an extra CA (the
// lab's issuer) can be trusted besides Node's roots: Node's global fetch takes no CA. TLS is always verified;
// redirects are not followed (jose asks for `redirect: "manual"` and wants a 200); bodies are capped.
import { request } from "node:https";
import { rootCertificates } from "node:tls";

export type Fetch = (
  url: string,
  init?: { headers?: Headers | Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

const MAX_BYTES = 1024 * 1024;

export function httpsFetch(caPem?: string, timeoutMs = 10_000): Fetch {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      if (!url.startsWith("https://")) return reject(new Error(`refusing to fetch ${url}: not https`));
      const headers = init.headers instanceof Headers ? Object.fromEntries(init.headers.entries()) : init.headers;
      const req = request(
        url,
        {
          headers: { accept: "application/json", ...headers },
          ca: caPem ? [...rootCertificates, caPem] : undefined,
          rejectUnauthorized: true,
          signal: init.signal,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_BYTES) req.destroy(new Error(`GET ${url}: body larger than ${MAX_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on("error", reject);
          res.on("end", () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
            const status = res.statusCode ?? 502;
            const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: h }));
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on("error", (err) => reject(new Error(`GET ${url} failed: ${err.message}`)));
      req.end();
    });
}
