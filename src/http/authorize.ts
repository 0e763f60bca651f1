// Every endpoint but the alert endpoint acts on a caller the app verified itself, from an Entra token
// (src/auth/callers.ts), with the right app role; a function key alone gets nothing, nor does Easy Auth's
// X-MS-CLIENT-PRINCIPAL header alone. 401 without a verified caller, 403 without the role, each saying what
// is missing.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Callers } from "../auth/callers";
import type { Principal } from "../auth/principal";
import type { Role } from "../auth/roles";
import { services } from "../app/services";
import { error } from "./responses";

export type Authorized = { ok: true; principal: Principal } | { ok: false; response: HttpResponseInit };

export async function authorize(
  request: HttpRequest,
  role: Role,
  callers: Callers = services().callers,
): Promise<Authorized> {
  const caller = await callers.identify(request.headers);
  if (!caller.ok) {
    const response = error(401, "Unauthenticated", caller.reason, { role });
    // RFC 6750: a 401 for a bearer-token API names the scheme it wants.
    response.headers = { ...(response.headers as Record<string, string>), "www-authenticate": "Bearer" };
    return { ok: false, response };
  }
  const principal = caller.principal;
  if (!principal.roles.includes(role)) {
    return {
      ok: false,
      response: error(403, "MissingRole", `${principal.name} does not have the app role ${role}`, { role }),
    };
  }
  return { ok: true, principal };
}
