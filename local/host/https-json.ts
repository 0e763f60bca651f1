// GET a JSON document over HTTPS with full certificate verification: the system roots plus, when
// given, one extra CA (the lab's). Plain http, redirects, oversized or non-200 answers are errors.
import { request } from "node:https";
import { rootCertificates } from "node:tls";

export interface HttpsJsonOptions {
  /** PEM of an extra trusted CA (added to the system roots, never replacing verification). */
  caPem: string | null;
  timeoutMs?: number;
  maxBytes?: number;
}

export function getJsonOverHttps(url: string, o: HttpsJsonOptions): Promise<unknown> {
  const target = new URL(url);
  if (target.protocol !== "https:") return Promise.reject(new Error(`refusing to fetch ${url}: not https`));
  const maxBytes = o.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "GET",
        headers: { accept: "application/json" },
        ca: o.caPem ? [...rootCertificates, o.caPem] : undefined,
        rejectUnauthorized: true,
        agent: false,
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`GET ${url} answered ${res.statusCode}`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`GET ${url}: body larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (err) {
            reject(new Error(`GET ${url}: not JSON: ${(err as Error).message}`));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", (err) => reject(new Error(`GET ${url} failed: ${err.message}`)));
    req.end();
  });
}
