// Request bodies, read only once a request is authorized and never beyond a limit. The limit is the
// Functions host's: Kestrel MaxRequestBodySize = ScriptConstants.DefaultMaxRequestBodySize (100 MiB),
// changed by the app setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (bytes); larger bodies get 413.
import type { IncomingMessage } from "node:http";

export const DEFAULT_MAX_REQUEST_BODY_BYTES = 104_857_600;

/** FUNCTIONS_REQUEST_BODY_SIZE_LIMIT if it is a positive integer (the host ignores anything else). */
export function maxBodyBytesFrom(env: NodeJS.ProcessEnv): number {
  const v = env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT?.trim();
  const n = v && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_REQUEST_BODY_BYTES;
}

/** True when the request announces a body (a non-zero Content-Length or any Transfer-Encoding). */
export function announcesBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (len !== undefined && Number(len) !== 0);
}

/**
 * Reads the body, or resolves null as soon as it is known to exceed `limit` (from Content-Length
 * before reading anything, or while reading a chunked body); the rest is then left unread.
 */
export function readBodyWithin(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        return resolve(null);
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(new Error("the client closed the connection before the body was complete"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
