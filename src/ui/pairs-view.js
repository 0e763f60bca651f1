// The pairs view: for each pair, its readiness (would a failover work now: a badge, the score and the reasons),
// where the CNAME points and its TTL, where its two servers come from (the configuration, or a stored change by
// re-protection), each server (role, state, region, what its own name says), the replication lag with its recent
// history, the warnings, and the last runs.
import { h } from "./dom.js";
import { bytes, dateTime, seconds } from "./format.js";
import { facts, runsTable } from "./parts.js";
import { sparkline } from "./sparkline.js";

function ownName(s) {
  const p = s.dataPlane;
  if (!p) return s.error ? "not read" : "–";
  if (!p.reachable) return `not reachable${p.error ? `: ${p.error}` : ""}`;
  if (p.inRecovery) return "in recovery (a replica)";
  if (p.readOnlyDefault === "on") return "read-only: fenced";
  return "writable";
}

function serverRow(s) {
  const role = s.servesCname && s.acceptsWrites ? "primary" : s.servesCname ? "serves the CNAME" : null;
  return h(
    "tr",
    { dataset: { server: s.name, serves: s.servesCname ? "yes" : "no" } },
    h(
      "th",
      { scope: "row" },
      s.name,
      role ? h("span", { class: `tag tag-${s.acceptsWrites ? "primary" : "warn"}` }, role) : null,
      h("div", { class: "sub" }, s.aRecord),
    ),
    h("td", {}, s.location ?? "–"),
    h("td", {}, s.role ?? (s.error ? `ARM: ${s.error}` : "–")),
    h("td", {}, s.state ?? "–"),
    h("td", {}, s.replicationState ?? (s.standalone ? "standalone" : "–")),
    h("td", { class: s.acceptsWrites ? "ok" : "" }, ownName(s)),
  );
}

function serversTable(pair) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "servers" },
      h("caption", {}, "Servers"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Server", "Region", "ARM role", "State", "Replication", "Its own name says"].map((c) =>
            h("th", { scope: "col" }, c),
          ),
        ),
      ),
      h("tbody", {}, pair.servers.map(serverRow)),
    ),
  );
}

function lag(pair) {
  const latest = pair.lag.latest;
  return h(
    "div",
    { class: "lag" },
    h("h3", {}, "Replication lag"),
    h(
      "div",
      { class: "lag-row" },
      sparkline(pair.lag.recent),
      latest
        ? facts([
            [
              "latest",
              latest.bytes === null
                ? `not measured${latest.note ? `: ${latest.note}` : ""}`
                : `${bytes(latest.bytes)} behind`,
            ],
            ["last replay", latest.replaySeconds === null ? "unknown" : `${seconds(latest.replaySeconds)} ago`],
            ["sampled", dateTime(latest.at)],
            ["primary", latest.primaryAlive ? latest.primary : `${latest.primary ?? "none"} (not answering)`],
            ["note", latest.bytes === null ? null : (latest.note ?? null)],
          ])
        : h("p", { class: "muted" }, "No sample yet: the lag sampler runs every minute."),
    ),
  );
}

function readinessPanel(pair) {
  const r = pair.readiness;
  if (!r) return null;
  return h(
    "div",
    { class: `readiness ${r.ready ? "is-ready" : "not-ready"}`, role: "group", "aria-label": "Readiness" },
    h(
      "h3",
      {},
      "Readiness ",
      h(
        "span",
        { class: `badge badge-${r.ready ? "succeeded" : "failed"}`, dataset: { ready: r.ready ? "yes" : "no" } },
        `${r.ready ? "ready" : "not ready"} · ${r.score}/100`,
      ),
    ),
    r.reasons.length
      ? h(
          "ul",
          {},
          r.reasons.map((x) => h("li", {}, x)),
        )
      : h("p", { class: "muted" }, "Nothing missing: a failover would find everything in place."),
  );
}

function membership(pair) {
  const m = pair.membership;
  if (!m || m.source === "config") return "the configuration (PGFLEX_PAIRS)";
  return `stored by ${m.changedBy.name} on ${dateTime(m.at)} (run ${m.runId}): ${m.reason}`;
}

function pairCard(pair, runs) {
  const cname = pair.cname;
  return h(
    "section",
    { class: "card pair", dataset: { pair: pair.name }, "aria-labelledby": `pair-${pair.name}` },
    h("h2", { id: `pair-${pair.name}` }, `Pair ${pair.name}`, h("span", { class: "tag" }, pair.promoteOption)),
    readinessPanel(pair),
    pair.warnings.length
      ? h(
          "div",
          { class: "warnings", role: "group", "aria-label": "Warnings" },
          h("h3", {}, `Warning${pair.warnings.length > 1 ? "s" : ""}`),
          h(
            "ul",
            {},
            pair.warnings.map((w) => h("li", {}, w)),
          ),
        )
      : null,
    facts([
      ["CNAME", h("code", {}, cname.name)],
      ["points at", cname.target ? h("code", { class: "cname-target" }, cname.target) : `unreadable: ${cname.error}`],
      ["TTL", cname.ttl === undefined ? null : `${cname.ttl} s`],
      ["servers from", membership(pair)],
    ]),
    serversTable(pair),
    lag(pair),
    pair.oldPrimaryFence
      ? h(
          "p",
          { class: "notice" },
          `Old primary ${pair.oldPrimaryFence.server.name}: fence ${pair.oldPrimaryFence.state} since ${dateTime(pair.oldPrimaryFence.since)}`,
        )
      : null,
    h("h3", {}, "Recent runs"),
    runs === undefined
      ? h("p", { class: "muted" }, "Loading…")
      : runsTable(runs.slice(0, 3), `Last runs of ${pair.name}`),
    h("p", {}, h("a", { href: `#/history/${encodeURIComponent(pair.name)}` }, `All recent runs of ${pair.name}`)),
  );
}

export function renderPairs({ pairs, runsByPair }) {
  return h(
    "div",
    { class: "view", id: "pairs-view" },
    h("h1", {}, "Pairs"),
    pairs.length ? pairs.map((p) => pairCard(p, runsByPair[p.name])) : h("p", {}, "No pair is configured."),
  );
}
