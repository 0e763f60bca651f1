// GET /api/pairs: every configured pair with its live topology.
import { app, type HttpResponseInit } from "@azure/functions";
import { pairTopology } from "../app/pair-topology";
import { services } from "../app/services";
import { json } from "../http/responses";

services(); // validate the configuration at start-up

async function listPairs(): Promise<HttpResponseInit> {
  const { config, deps } = services();
  return json(200, { pairs: await Promise.all(config.pairs.map((p) => pairTopology(deps, p))) });
}

app.http("pairs-list", { route: "pairs", methods: ["GET"], authLevel: "function", handler: listPairs });
