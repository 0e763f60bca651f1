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

/**
 * Reads a JSON body: 415 unless the content type is JSON (a form on another site cannot send one, so a
 * browser session cookie cannot be used to forge a request), 413 above MAX_BODY_BYTES, 400 naming `body`
 * when it is not JSON.
 */
export async function readJsonBody(
  request: HttpRequest,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const type = request.headers.get("content-type")?.split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    return {
      ok: false,
      response: error(415, "UnsupportedMediaType", "the body must be sent as content-type: application/json", {
        field: "content-type",
      }),
    };
  }
  const declared = Number(request.headers.get("content-length")); // none: Number(null) is 0
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
