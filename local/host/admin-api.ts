// The Functions host's admin endpoint to run a non-HTTP function on demand (FunctionsController.Invoke):
// POST /admin/functions/{name} (master key) with a body {"input": "..."}; 202 once the run is queued,
// 400 without such a body, 404 for an unknown name (matched case-insensitively). The local host runs
// timer-triggered functions this way (the input is not used: a timer function gets its Timer).
import type { ServerResponse } from "node:http";
import { sendJson } from "./http-util";
import type { Logger } from "./log";
import { findFunctionName, type Registry } from "./registry";
import type { TimerTriggers } from "./timer-triggers";

export interface AdminContext {
  registry: Registry;
  timers: TimerTriggers;
  logger: Logger;
}

/** FunctionInvocation: a JSON object whose optional `input` binds to a string. */
function isInvocation(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const input = (v as { input?: unknown }).input;
  return input === undefined || input === null || ["string", "number", "boolean"].includes(typeof input);
}

export function handleAdminInvoke(ctx: AdminContext, name: string, body: Buffer, res: ServerResponse): void {
  if (!isInvocation(body.toString("utf8")))
    return sendJson(res, 400, { message: 'The body must be a JSON object such as {"input": ""}.' });
  const registered = findFunctionName(ctx.registry, name);
  if (registered === null) return sendJson(res, 404, { message: `No function named '${name}'.` });
  if (!ctx.timers.has(registered))
    return sendJson(res, 501, {
      message: `The local host runs only timer-triggered functions through the admin API; '${registered}' is not one.`,
    });
  ctx.logger.host(`timer '${registered}' runs on demand (admin API)`);
  ctx.timers
    .runNow(registered)
    .catch((err: unknown) => ctx.logger.hostError(`on-demand run of '${registered}': ${String(err)}`));
  res.writeHead(202, { "content-length": "0" });
  res.end();
}
