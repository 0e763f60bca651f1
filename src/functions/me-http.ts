// GET /api/me: who the caller is, as App Service Authentication vouched for them (Failover.Read). The
// status page uses it to offer Approve/Abort only to people the API would let through.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { ROLES } from "../auth/roles";
import { authorize } from "../http/authorize";
import { json } from "../http/responses";

async function me(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const { name, oid, roles, idp } = caller.principal;
  return json(200, { name, oid, roles, idp }, { "cache-control": "no-store" });
}

app.http("me", { route: "me", methods: ["GET"], authLevel: "anonymous", handler: me });
