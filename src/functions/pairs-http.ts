// GET /api/pairs: every configured pair with its live topology (Failover.Read). A pair's view is read at most
// once per PGFLEX_PAIRS_VIEW_SECONDS, however many readers ask (single flight per pair).
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { FreshCache } from "../app/fresh-cache";
import { pairTopology } from "../app/pair-topology";
import { services } from "../app/services";
import { ROLES } from "../auth/roles";
import { authorize } from "../http/authorize";
import { error, json } from "../http/responses";

services(); // validate the configuration at start-up

const views = new FreshCache<Awaited<ReturnType<typeof pairTopology>>>(() => services().config.views.pairsViewMs);

/** The pair's view: its membership is read with it (once per view, not per server). */
const view = (name: string) => {
  const { deps, config } = services();
  return views.get(name, async () => pairTopology(deps, await deps.pair(name), config.views.permissionsMs));
};

async function listPairs(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const { config } = services();
  return json(200, { pairs: await Promise.all(config.pairs.map((p) => view(p.name))) });
}

async function getPair(request: HttpRequest): Promise<HttpResponseInit> {
  const caller = await authorize(request, ROLES.read);
  if (!caller.ok) return caller.response;
  const name = request.params.pair ?? "";
  const { config } = services();
  if (!config.pairs.some((p) => p.name === name)) {
    const known = config.pairs.map((p) => p.name).join(", ");
    return error(404, "PairNotFound", `no pair named "${name}" is configured (configured: ${known || "none"})`, {
      field: "pair",
    });
  }
  return json(200, await view(name));
}

app.http("pairs-list", { route: "pairs", methods: ["GET"], authLevel: "anonymous", handler: listPairs });
app.http("pairs-get", { route: "pairs/{pair}", methods: ["GET"], authLevel: "anonymous", handler: getPair });
