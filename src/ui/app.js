// The status page: a hash router over three views (pairs, a pair's runs, a run), each polling the JSON
// API with the browser's session; a sign-in screen when the API answers 401.
import { ApiError, get, paths, post, runKind, serverNow, SignedOut, signInUrl, SIGN_OUT_URL } from "./api.js";
import { h, patch, replace } from "./dom.js";
import { clock } from "./format.js";
import { renderHistory } from "./history-view.js";
import { renderPairs } from "./pairs-view.js";
import { createReprotectView } from "./reprotect-view.js";
import { createRunView } from "./run-view.js";

const main = document.getElementById("main");
const who = document.getElementById("who");
const updated = document.getElementById("updated");
const problem = document.getElementById("problem");

const RUN_POLL_MS = 1000;
const FINISHED_RUN_POLL_MS = 15000;
// GET /api/pairs reads ARM and connects to every server: every 10 s per viewer is plenty (lag is sampled
// once a minute); the runs (a scan of the audit table) every 30 s.
const PAIRS_POLL_MS = 10000;
const PAIR_RUNS_POLL_MS = 30000;
const HISTORY_POLL_MS = 10000;

let me = null;
/** Bumped on every route change and at sign-out: a loop of an older generation stops. */
let generation = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function showSignIn() {
  generation++;
  me = null;
  replace(who);
  delete who.dataset.rendered;
  updated.textContent = "";
  document.title = "Sign in · pgflex-failover";
  replace(
    main,
    h(
      "section",
      { class: "card signin", id: "signin", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title" }, "Sign in"),
      h(
        "p",
        {},
        "You are not signed in, or your session has ended. The status page uses the same Microsoft Entra sign-in as the failover API.",
      ),
      h("p", {}, h("a", { class: "button", href: signInUrl(), id: "signin-link" }, "Sign in with Microsoft Entra ID")),
      LOOPBACK.test(location.hostname)
        ? h(
            "p",
            { class: "muted" },
            "On the local lab there is no Entra sign-in page: open a sign-in link that npm run drill prints.",
          )
        : null,
    ),
  );
  main.focus();
}

function showProblem(title, message) {
  replace(main, h("section", { class: "card problem", id: "problem-view" }, h("h1", {}, title), h("p", {}, message)));
}

function renderWho(m) {
  patch(who, m, (x) => [
    h("span", { class: "name", id: "me-name" }, x.name),
    h(
      "span",
      { class: "roles" },
      x.roles
        .filter((r) => r.startsWith("Failover."))
        .map((r) => h("span", { class: "tag" }, r.replace("Failover.", ""))),
    ),
    h("a", { href: SIGN_OUT_URL, id: "signout" }, "Sign out"),
  ]);
}

/** Polls `tick` every `interval(result)` ms while this route is current; false ends the loop. */
async function loop(gen, tick) {
  for (let first = true; gen === generation; first = false) {
    let wait;
    try {
      wait = await tick(first);
      if (gen !== generation) return;
      problem.textContent = "";
      updated.textContent = `Updated ${clock(new Date(serverNow()).toISOString())}`;
    } catch (e) {
      if (gen !== generation) return;
      if (e instanceof SignedOut) return showSignIn();
      // A refusal of the first call (no such run, no role) is the answer; a 5xx or the network is retried.
      if (e instanceof ApiError && first && e.status < 500) {
        showProblem(e.status === 404 ? "Not found" : e.status === 403 ? "Not allowed" : "The app refused", e.message);
        return;
      }
      problem.textContent = `Cannot reach the app (${e instanceof ApiError ? `HTTP ${e.status}` : "network"}): retrying.`;
      wait = 5000;
    }
    if (wait === false) return;
    await sleep(wait);
  }
}

function pairsRoute(gen) {
  document.title = "Pairs · pgflex-failover";
  const runsByPair = {};
  let rendered = false;
  let runsAt = -Infinity;
  return loop(gen, async () => {
    const { pairs } = (await get(paths.pairs)).body;
    if (Date.now() - runsAt >= PAIR_RUNS_POLL_MS || pairs.some((p) => !(p.name in runsByPair))) {
      const lists = await Promise.all(pairs.map((p) => get(paths.runs(p.name, 3)).then((r) => r.body.runs)));
      pairs.forEach((p, i) => (runsByPair[p.name] = lists[i]));
      runsAt = Date.now();
    }
    if (!rendered) replace(main, h("div", { id: "pairs-root" }));
    rendered = true;
    patch(main.firstChild, { pairs, runsByPair }, renderPairs);
    return PAIRS_POLL_MS;
  });
}

function historyRoute(gen, pair) {
  document.title = `Runs of ${pair} · pgflex-failover`;
  let rendered = false;
  return loop(gen, async () => {
    const { runs } = (await get(paths.runs(pair, 50))).body;
    if (!rendered) replace(main, h("div", { id: "history-root" }));
    rendered = true;
    patch(main.firstChild, { pair, runs }, renderHistory);
    return HISTORY_POLL_MS;
  });
}

async function decide(id, decision, reason) {
  try {
    const r = await post(paths.decide(id, decision), { reason });
    const by = r.body?.by?.name ?? "you";
    return {
      ok: true,
      message: decision === "approve" ? `Approved by ${by}: the run continues.` : `Aborted by ${by}.`,
    };
  } catch (e) {
    if (e instanceof SignedOut) {
      showSignIn();
      return { ok: false, message: "Your session has ended: sign in again." };
    }
    return { ok: false, message: e.message };
  }
}

function runRoute(gen, id) {
  document.title = `Run ${id} · pgflex-failover`;
  let view = null;
  const create = runKind(id) === "reprotects" ? createReprotectView : createRunView;
  return loop(gen, async () => {
    const res = await get(paths.failover(id));
    if (gen !== generation) return false;
    view ??= create(main, me, decide);
    view.update(res.body, serverNow());
    return res.status === 200 ? FINISHED_RUN_POLL_MS : RUN_POLL_MS;
  });
}

async function route() {
  const gen = ++generation;
  const path = location.hash.replace(/^#/, "") || "/";
  replace(main, h("p", { class: "muted" }, "Loading…"));
  main.focus({ preventScroll: true });
  try {
    if (!me) {
      me = (await get(paths.me)).body;
      if (gen !== generation) return;
      renderWho(me);
    }
  } catch (e) {
    if (gen !== generation) return;
    if (e instanceof SignedOut) return showSignIn();
    return showProblem("Not allowed", e instanceof ApiError ? e.message : "Cannot reach the app.");
  }
  let m;
  if ((m = /^\/runs\/([^/]+)$/.exec(path))) return runRoute(gen, decodeURIComponent(m[1]));
  if ((m = /^\/history\/([^/]+)$/.exec(path))) return historyRoute(gen, decodeURIComponent(m[1]));
  return pairsRoute(gen);
}

window.addEventListener("hashchange", () => void route());
void route();
