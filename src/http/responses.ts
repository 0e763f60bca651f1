// Response shapes of the HTTP API: JSON everywhere, errors as {error: {code, message, field?}}.
import type { HttpResponseInit } from "@azure/functions";

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
