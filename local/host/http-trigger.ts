// Runs an HTTP-triggered function for a node request and writes its response.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClientInputData } from "./client-input";
import type { RpcHttpData, RpcInvocationResponse, RpcTypedData } from "./core-module";
import { sendJson } from "./http-util";
import type { InputBinding, Invoker } from "./invoker";
import type { Logger } from "./log";
import type { HttpFunction } from "./registry";

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function findHttpOutput(resp: RpcInvocationResponse): RpcHttpData | null {
  if (resp.returnValue?.http) return resp.returnValue.http;
  for (const o of resp.outputData ?? []) if (o.data?.http) return o.data.http;
  return null;
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.string !== undefined) return Buffer.from(body.string);
  if (body.json !== undefined) return Buffer.from(body.json);
  return Buffer.alloc(0);
}

export async function runHttpFunction(
  fn: HttpFunction,
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: Buffer,
  res: ServerResponse,
  deps: { invoker: Invoker; logger: Logger; timeoutMs: number | null; clientInput: () => ClientInputData },
): Promise<void> {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const http: RpcHttpData = {
    method: req.method ?? "GET",
    url: url.href,
    headers: flatHeaders(req),
    query,
    params,
    body: { bytes: body },
  };
  const inputs: InputBinding[] = [{ name: fn.triggerBinding, data: { http } }];
  if (fn.clientBinding) inputs.push({ name: fn.clientBinding, data: { json: JSON.stringify(deps.clientInput()) } });
  let resp: RpcInvocationResponse;
  try {
    resp = await deps.invoker.invoke(fn.name, inputs, deps.timeoutMs);
  } catch (err) {
    deps.logger.hostError(`function '${fn.name}' failed: ${(err as Error).message}`);
    return sendJson(res, 500, { message: `Function '${fn.name}' failed.` });
  }
  const out = findHttpOutput(resp);
  if (!out) {
    res.writeHead(204);
    res.end();
    return;
  }
  const bytes = bodyBytes(out.body);
  const headers: Record<string, string | string[]> = { ...(out.headers ?? {}) };
  const cookies = (out.cookies ?? []) as { name: string; value: string; path?: string; httpOnly?: boolean }[];
  if (cookies.length > 0)
    headers["set-cookie"] = cookies.map(
      (c) => `${c.name}=${c.value}${c.path ? `; Path=${c.path}` : ""}${c.httpOnly ? "; HttpOnly" : ""}`,
    );
  headers["content-length"] = String(bytes.length);
  res.writeHead(Number(out.statusCode ?? "200") || 200, headers);
  res.end(bytes);
}
