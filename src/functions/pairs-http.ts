// GET /api/pairs: every configured pair with its live topology (Failover.Read). A pair's view is read at most
// once per PAIR_VIEW_TTL_MS, however many readers ask (single flight per pair).
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { FreshCache } from "../app/fresh-cache";
import { PAIR_VIEW_TTL_MS, pairTopology } from "../app/pair-topology";
import { services } from "../app/services";
import { ROLES } from "../auth/roles";
import { authorize } from "../http/authorize";
import { json } from "../http/responses";

services(); // validate the configuration at start-up

const views = new FreshCache<Awaited<ReturnType<typeof pairTopology>>>(PAIR_VIEW_TTL_MS);

async function listPairs(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const { config, deps } = services();
  return json(200, {
    pairs: await Promise.all(config.pairs.map((p) => views.get(p.name, () => pairTopology(deps, p)))),
  });
}

app.http("pairs-list", { route: "pairs", methods: ["GET"], authLevel: "anonymous", handler: listPairs });
