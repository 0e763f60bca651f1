// The status page in a real browser against the lab: the pairs view before and after a forced failover, with the
// pair's readiness;
// the run view of that failover — the plan while it waits for approval, no Approve button for the requester
// (two-person rule) nor any button for a reader, bob approving from the page with a reason, the steps
// appearing in order while it runs and the verification at the end; the history; the sign-in screen once
// the session is gone. No page may log a console error. Screenshots go to test-results/ui/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startStack, type Stack } from "../../local/drill/stack";
import type { FailoverOutput } from "../../src/orchestrations/failover-types";
import { launchBrowser, screenshot, signedIn, type UserPage } from "./browser";

const READER = ["Failover.Read"];
const REQUESTER = ["Failover.Request", "Failover.Read"];
const APPROVER = ["Failover.Approve", "Failover.Read"];

let stack: Stack;
let browser: Browser;
let runId = "";
const pages: UserPage[] = [];

async function runSampler(): Promise<void> {
  const res = await fetch(new URL("/admin/functions/lag-sampler", stack.host.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": stack.host.masterKey },
    body: JSON.stringify({ input: "" }),
  });
  assert.equal(res.status, 202);
}

async function open(user: string, roles: string[], path?: string, setup?: (p: Page) => Promise<void>) {
  const p = await signedIn(browser, stack, user, roles, path, setup);
  pages.push(p);
  return p;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

async function attributes(page: Page, selector: string, name: string): Promise<(string | null)[]> {
  const all = page.locator(selector);
  const out: (string | null)[] = [];
  for (let i = 0, n = await all.count(); i < n; i++) out.push(await all.nth(i).getAttribute(name));
  return out;
}

/** Records, in window.stepsSeen, each step row of the live chart (caption "Steps so far") as it appears. */
const RECORD_STEPS = `
  window.stepsSeen = [];
  new MutationObserver(() => {
    const caption = document.querySelector("#steps caption");
    if (!caption || !caption.textContent.includes("so far")) return;
    for (const tr of document.querySelectorAll("#steps tr[data-step]"))
      if (!window.stepsSeen.includes(tr.dataset.step)) window.stepsSeen.push(tr.dataset.step);
  }).observe(document, { childList: true, subtree: true });
`;

describe("status page", () => {
  before(async () => {
    const [s, b] = await Promise.allSettled([
      startStack({ lab: { promoteDelayMs: 500 }, pair: { timings: { drainCapSeconds: 1, stabiliseSeconds: 1 } } }),
      launchBrowser(),
    ]);
    if (s.status === "fulfilled") stack = s.value;
    if (b.status === "fulfilled") browser = b.value;
    if (s.status === "rejected" || b.status === "rejected") {
      await Promise.allSettled([stack?.stop(), browser?.close()]);
      throw s.status === "rejected" ? s.reason : (b as PromiseRejectedResult).reason;
    }
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.stop();
  });

  test("pairs view: where the CNAME points and its TTL, each server, the lag and its history, the warnings", async () => {
    await runSampler();
    const { primary, replica } = stack.lab.info.servers;
    const { page } = await open("carol", READER);
    const card = page.locator(`section.pair[data-pair="${stack.pair}"]`);
    await card.locator(".lag svg.sparkline circle.last").waitFor();
    assert.equal(await text(page, ".cname-target"), primary.aRecordFqdn);
    assert.match(await card.innerText(), /TTL\s+3600 s/);
    const row = (name: string) => card.locator(`tr[data-server="${name}"]`);
    assert.equal(await row(primary.name).getAttribute("data-serves"), "yes");
    assert.match(await row(primary.name).innerText(), /primary[\s\S]*East US[\s\S]*Ready[\s\S]*writable/);
    assert.match(await row(replica.name).innerText(), /West US[\s\S]*Replica[\s\S]*in recovery/);
    assert.match(await card.locator(".lag").innerText(), /latest\s+\d+ B behind/);
    assert.match(
      (await card.locator("svg.sparkline").getAttribute("aria-label")) ?? "",
      /^Replication lag over the last \d+ samples/,
    );
    assert.match(await card.locator(".warnings").innerText(), /TTL \(3600s\) is longer than the drain cap/);
    assert.match(await card.innerText(), /No runs recorded for this pair yet/);
    await screenshot(page, "pairs-before");
  });

  test("pairs view: the readiness badge, its score and the reasons a person can act on; where the servers come from", async () => {
    const { page } = await open("carol", READER);
    const card = page.locator(`section.pair[data-pair="${stack.pair}"]`);
    const badge = card.locator(".readiness .badge");
    await badge.waitFor();
    // Ready (a replica, Active, a fresh lag sample, logins, the role, no fence owed), but the lab's hour-long TTL is
    // above the 1 s drain cap and no dry run was made: advisory, each with its reason.
    assert.equal(await badge.getAttribute("data-ready"), "yes");
    assert.equal(await badge.innerText(), "ready · 85/100");
    const reasons = await card.locator(".readiness li").allInnerTexts();
    assert.equal(reasons.length, 2, reasons.join("\n"));
    assert.match(reasons[0]!, /TTL \(3600 s\) is above the drain cap \(1 s\)/);
    assert.match(reasons[1]!, /no successful dry run on record: run one/);
    assert.match(await card.innerText(), /servers from\s+the configuration \(PGFLEX_PAIRS\)/);
    await screenshot(page, "pairs-readiness");
  });

  test("the page's endpoints: the files with their headers, /api/me, /api/pairs/{pair}/runs", async () => {
    const carol = await stack.as("carol", READER);
    const nobody = await stack.as("dave", []);
    const me = await carol.get<{ name: string; oid: string; roles: string[]; idp: string }>("/api/me");
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { name: "Carol", oid: stack.lab.identity.user("carol").oid, roles: READER, idp: "aad" });
    assert.equal((await nobody.get("/api/me")).status, 403);
    assert.equal((await stack.api.as({}).get("/api/me")).status, 401);

    const runs = await carol.get<{ pair: string; runs: unknown[] }>(`/api/pairs/${stack.pair}/runs`);
    assert.deepEqual([runs.status, runs.body], [200, { pair: stack.pair, runs: [] }]);
    const unknown = await carol.get<{ error: { code: string } }>("/api/pairs/nope/runs");
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, "PairNotFound"]);
    for (const limit of ["0", "101", "x", "1.5"])
      assert.equal((await carol.get(`/api/pairs/${stack.pair}/runs?limit=${limit}`)).status, 400, limit);
    assert.equal((await nobody.get(`/api/pairs/${stack.pair}/runs`)).status, 403);

    const js = await carol.get<string>("/api/ui/app.js");
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(js.headers.get("content-security-policy") ?? "", /script-src 'self';.*frame-ancestors 'none'/);
    assert.equal(js.headers.get("x-content-type-options"), "nosniff");
    const index = await carol.get<string>("/api/ui");
    assert.match(index.body, /<script type="module" src="\/api\/ui\/app.js"><\/script>/);
    const etag = js.headers.get("etag")!;
    const again = await fetch(new URL("/api/ui/app.js", stack.host.url), {
      headers: { authorization: `Bearer ${carol.caller.token}`, "if-none-match": etag },
    });
    assert.equal(again.status, 304);
    for (const path of ["/api/ui/nope.js", "/api/ui/package.json", "/api/ui/..%2Fpackage.json", "/api/ui/x/app.js"])
      assert.equal((await carol.get(path)).status, 404, path);
    // The page's files are outside Easy Auth (they hold no data: the page shows its own sign-in), its data is not.
    assert.equal((await stack.api.as({}).get("/api/ui")).status, 200, "the page loads without a session");
    assert.equal((await stack.api.as({}).get("/api/pairs")).status, 401, "the data it reads needs a session");
  });

  test("a forced failover waits for approval: no Approve for the requester, no buttons for a reader; bob approves from the page and the steps appear in order until verified", async () => {
    const start = await stack.api.post<{ id: string; runId: string }>("/api/failovers", {
      pair: stack.pair,
      option: "Forced",
      reason: "eastus outage INC-4711",
    });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    const { id } = start.body;
    runId = start.body.runId;
    const runPath = `/api/ui#/runs/${id}`;

    // Bob's page records the step rows as they appear in the live chart (before the run ends).
    const recordSteps = async (p: Page) => void (await p.addInitScript({ content: RECORD_STEPS }));
    const [alice, carol, bob] = await Promise.all([
      open("alice", REQUESTER, runPath),
      open("carol", READER, runPath),
      open("bob", APPROVER, runPath, recordSteps),
    ]);

    const listed = await stack.api.get<{ runs: { runId: string; outcome: string }[] }>(`/api/pairs/${stack.pair}/runs`);
    assert.deepEqual(
      listed.body.runs.map((r) => [r.runId, r.outcome]),
      [[runId, "running"]],
    );

    // The plan, as every reader sees it.
    for (const { page } of [alice, carol, bob]) {
      const plan = page.locator("section.approval");
      await plan.waitFor();
      const shown = await plan.innerText();
      assert.match(
        shown,
        new RegExp(`${stack.lab.info.servers.primary.name} → ${stack.lab.info.servers.replica.name}`),
      );
      assert.match(shown, /asked by\s+Alice/);
      assert.match(shown, /why\s+eastus outage INC-4711/);
      assert.match(shown, /data at risk\s+\d+ B \(measured now\)/);
      assert.match(shown, /two-person rule\s+yes/);
      assert.match(await text(page, "#current-step"), /Approval/);
    }
    // The requester: Abort, but no Approve under the two-person rule; a reader: no buttons at all.
    await alice.page.locator("#abort").waitFor();
    assert.equal(await alice.page.locator("#approve").count(), 0);
    assert.match(await text(alice.page, "#decision-note"), /two-person rule someone else/);
    assert.equal(await carol.page.locator("section.approval button").count(), 0);
    assert.match(await text(carol.page, "#decision-note"), /needs the Failover\.Approve role/);
    await screenshot(alice.page, "run-awaiting-requester");

    // Bob approves, with a reason.
    await bob.page.locator("#approve").waitFor();
    assert.equal(await bob.page.locator("#abort").count(), 1);
    await bob.page.fill("#decision-reason", "confirmed with the incident lead");
    await screenshot(bob.page, "run-awaiting-approver");
    await bob.page.click("#approve");
    await bob.page.locator("#decided", { hasText: "Approved by Bob" }).waitFor();

    // The run goes on to the end on every page.
    for (const { page } of [bob, alice, carol]) await page.locator("#verification").waitFor({ timeout: 120_000 });
    const result = (await stack.api.get<{ result: FailoverOutput }>(`/api/failovers/${id}`)).body.result;
    assert.equal(result.outcome, "succeeded", result.reason);
    assert.equal(result.approval?.by?.name, "Bob");
    assert.equal(result.approval?.reason, "confirmed with the incident lead");

    const page = bob.page;
    assert.match(await text(page, "#run-header .badge"), /succeeded/);
    assert.match(await text(page, "#outcome-title"), /succeeded/);
    const phases = [...new Set(result.phases.map((p) => p.phase))];
    const rows = await attributes(page, "#steps tr[data-step]", "data-step");
    assert.deepEqual(rows, phases, "one row per step, in the order the run took them");
    const seen = (await page.evaluate("window.stepsSeen")) as string[];
    assert.ok(seen.includes("preflight") && seen.includes("approval"), `seen while running: ${seen.join(", ")}`);
    assert.deepEqual(
      seen,
      phases.filter((p) => seen.includes(p)),
      "the steps appeared in the order the run took them",
    );
    assert.match(await page.locator('#steps tr[data-step="promote"] .counts').innerText(), /\d+ polls?/);
    // The approval's one call reads bob's decision back from where the API stored it.
    assert.match(await page.locator('#steps tr[data-step="approval"] .counts').innerText(), /^1 call$/);
    const verified = await text(page, "#verified-address");
    assert.ok(verified.includes(stack.lab.info.servers.replica.aRecordFqdn), verified);
    assert.match(verified, /127\.0\.0\.2$/);
    assert.match(
      await text(page, "#verification"),
      /verify-ca OK[\s\S]*verify-full on the CNAME\s+refused, as expected/,
    );
    assert.match(await text(page, "#rto"), /from the first step to the verified write through the CNAME/);
    assert.match(await text(page, "#risk"), /what a promote may lose\s+\d+ B \(measured now\)/);
    assert.match(await text(page, "#fence"), /fenced: new sessions read-only/);
    await page.locator("#audit summary").click();
    assert.match(await text(page, "#audit"), /approved by Bob/);
    await screenshot(page, "run-done");

    const done = await stack.api.get<{ runs: Record<string, unknown>[] }>(`/api/pairs/${stack.pair}/runs`);
    assert.equal(done.body.runs.length, 1);
    const { requestedAt, endedAt, rtoSeconds, summary, requester, ...rest } = done.body.runs[0]!;
    assert.deepEqual(rest, {
      runId,
      id,
      option: "Forced",
      mode: "failover",
      dryRun: false,
      acceptDataLoss: false,
      source: "http",
      reason: "eastus outage INC-4711",
      note: null,
      alert: null,
      outcome: "succeeded",
    });
    assert.deepEqual(requester, { name: "Alice", oid: stack.lab.identity.user("alice").oid });
    assert.ok(typeof requestedAt === "string" && typeof endedAt === "string" && endedAt > requestedAt);
    assert.equal(rtoSeconds, result.rto.total);
    assert.match(String(summary), /^succeeded; CNAME → /);
  });

  test("pairs view after the failover: the CNAME on the new primary, the old one fenced, the run in the history", async () => {
    const { primary, replica } = stack.lab.info.servers;
    const { page } = await open("carol", READER);
    const card = page.locator(`section.pair[data-pair="${stack.pair}"]`);
    await page.locator(".cname-target", { hasText: replica.aRecordFqdn }).waitFor();
    assert.equal(await card.locator(`tr[data-server="${replica.name}"]`).getAttribute("data-serves"), "yes");
    assert.match(await card.locator(`tr[data-server="${replica.name}"]`).innerText(), /primary[\s\S]*writable/);
    assert.match(await card.locator(`tr[data-server="${primary.name}"]`).innerText(), /read-only: fenced/);
    assert.match(await card.locator(".warnings").innerText(), /no replica left/);
    assert.equal(await card.locator(".readiness .badge").getAttribute("data-ready"), "no");
    assert.match(await card.locator(".readiness").innerText(), /no replica: a failover has nothing to promote/);
    const run = card.locator(`tr[data-run="${runId}"]`);
    assert.match(await run.innerText(), /Forced[\s\S]*Alice[\s\S]*eastus outage INC-4711[\s\S]*succeeded/);
    await screenshot(page, "pairs-after");

    await card.getByRole("link", { name: `All recent runs of ${stack.pair}` }).click();
    await page.locator("#history-view").waitFor();
    assert.equal(await page.locator("#history-view tr[data-run]").count(), 1);
    await screenshot(page, "history");
    await page.locator(`#history-view tr[data-run="${runId}"] a`).click();
    await page.locator("#run-header .badge", { hasText: "succeeded" }).waitFor();
  });

  test("no page logged a console error", () => {
    for (const p of pages) assert.deepEqual(p.errors, [], p.page.url());
  });

  test("once the session is gone the page shows its sign-in screen", async () => {
    const { page, errors } = await signedIn(browser, stack, "carol", READER, "/api/ui#/");
    await page.locator("section.pair").waitFor();
    // Sign out in this browser (the cookie is shared with the page), then move: the next call gets 401.
    assert.equal((await page.request.get(new URL("/.auth/logout", stack.host.url).href)).status(), 200);
    await page.evaluate(`location.hash = "#/history/${stack.pair}"`);
    await page.locator("#signin").waitFor();
    assert.equal(
      await page.locator("#signin-link").getAttribute("href"),
      "/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fui%23%2Fhistory%2Flab",
    );
    assert.equal(await page.locator("#who").innerText(), "", "nobody is shown as signed in");
    await screenshot(page, "signin");
    // The browser reports the 401 the page handled as a failed resource load; nothing else.
    assert.deepEqual(
      errors.filter((e) => !/Failed to load resource: the server responded with a status of 401/.test(e)),
      [],
    );
    assert.equal(errors.length, 1, errors.join("\n"));
    await page.click("#signin-link");
    await page.getByText("no interactive sign-in page").waitFor();
  });
});
