// Every endpoint but the alert endpoint acts on a verified Entra principal with the right app role; a
// function key alone gets nothing. 401 without a principal, 403 without the role, each saying what is missing.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { authEnabled, principalFrom, type Principal } from "../auth/principal";
import type { Role } from "../auth/roles";
import { error } from "./responses";

export type Authorized = { ok: true; principal: Principal } | { ok: false; response: HttpResponseInit };

export function authorize(request: HttpRequest, role: Role, env = process.env): Authorized {
  const principal = principalFrom(request.headers, env);
  if (!principal) {
    const why = authEnabled(env)
      ? "sign in with Entra ID: send an access token for this app (Authorization: Bearer …)"
      : "App Service Authentication is not enabled for this app, so no caller can be verified (a function key alone is not enough)";
    return { ok: false, response: error(401, "Unauthenticated", why, { role }) };
  }
  if (!principal.roles.includes(role)) {
    return {
      ok: false,
      response: error(403, "MissingRole", `${principal.name} does not have the app role ${role}`, { role }),
    };
  }
  return { ok: true, principal };
}
