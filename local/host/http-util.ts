// Small helpers shared by the HTTP handlers.
import type { ServerResponse } from "node:http";

/** Percent-decodes a path segment; a malformed escape is kept as it is (as ASP.NET Core does). */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, body === undefined ? "" : JSON.stringify(body), headers);
}

/** sendJson with the body serialized already (taken at one moment, sent at a later one). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
