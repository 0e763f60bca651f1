// Response shapes of the HTTP API: JSON everywhere, errors as {error: {code, message, field?}}.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { "content-type": "application/json", ...headers } };
}

export function error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): HttpResponseInit {
  return json(status, { error: { code, message, ...extra } });
}

export function badRequest(field: string, message: string): HttpResponseInit {
  return error(400, "InvalidRequest", `${field} ${message}`, { field });
}

/** Request bodies of this API are small JSON objects; anything bigger is refused before it is parsed. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Reads a JSON body: 413 above MAX_BODY_BYTES, 400 naming `body` when it is not JSON. */
export async function readJsonBody(
  request: HttpRequest,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: badRequest("body", "must be a JSON object") };
  }
}

function tooLarge(): HttpResponseInit {
  return error(413, "PayloadTooLarge", `body must be at most ${MAX_BODY_BYTES} bytes`, { field: "body" });
}
