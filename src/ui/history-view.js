// A pair's recent runs (GET /api/pairs/{pair}/runs), newest first; each opens its run view.
import { h } from "./dom.js";
import { runsTable } from "./parts.js";

export function renderHistory({ pair, runs }) {
  return h(
    "div",
    { class: "view", id: "history-view" },
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Pairs"), " › ", `Runs of ${pair}`),
    h("h1", {}, `Recent runs of ${pair}`),
    h(
      "section",
      { class: "card" },
      runsTable(
        runs,
        runs.length === 1 ? `The last run of ${pair}` : `The last ${runs.length} runs of ${pair}, newest first`,
      ),
    ),
  );
}
