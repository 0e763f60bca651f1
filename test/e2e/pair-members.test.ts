// A pair's membership lives in state the app owns: once the re-protect orchestration has replaced a member
// (src/app/pair-membership.ts, called here as its activity would, against the lab's Azurite and ARM), the app acts
// on the stored servers without a redeploy. The lab's pair is configured with a retired server in place of its
// replica (as PGFLEX_PAIRS reads after a failover nobody redeployed): a dry run is refused; after the change it
// plans the real replica as `to`; GET /api/pairs shows where the membership came from (who, why, when), the audit
// records the change, and DELETE /api/pairs/{pair}/membership (Failover.Request, with a reason) goes back to the
// configured servers.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { MONITORS_OFF } from "../../local/bench/monitors-off";
import { replaceMember } from "../../src/activities/membership-change";
import { buildServices } from "../../src/app/services";
import { loadConfig } from "../../src/config/settings";
import { failover, start, waitFor } from "./helpers";

interface MembershipView {
  servers: { name: string; resourceId: string }[];
  membership: {
    source: "config" | "stored";
    changedBy?: { name: string; oid: string };
    reason?: string;
    runId?: string;
    at?: string;
    previous?: string[];
  };
}

test("a stored membership is what a dry run uses, shown and audited with who and why; a reset goes back to the configured servers", async (t) => {
  const stack = await start({ settings: MONITORS_OFF });
  t.after(() => stack.stop());
  const { lab } = stack;
  const replica = lab.info.servers.replica;

  // The configuration names a retired server where the replica is.
  const file = JSON.parse(readFileSync(stack.settingsFile, "utf8")) as { Values: Record<string, string> };
  const pairs = JSON.parse(file.Values.PGFLEX_PAIRS!) as { servers: { resourceId: string; aRecord: string }[] }[];
  const real = pairs[0]!.servers.find((s) => s.resourceId === replica.resourceId)!;
  const retired = { resourceId: `${real.resourceId}-retired`, aRecord: "retired-replica" };
  pairs[0]!.servers = pairs[0]!.servers.map((s) => (s === real ? retired : s));
  file.Values.PGFLEX_PAIRS = JSON.stringify(pairs);
  writeFileSync(stack.settingsFile, JSON.stringify(file, null, 2), { mode: 0o600 });
  await stack.restartHost();

  const before = await failover(stack, { dryRun: true });
  assert.notEqual(before.out.outcome, "dryRun", "the retired server cannot be planned: refused");

  // The re-protect orchestration's change, by a verified requester, with the app's own services.
  const deps = buildServices(loadConfig(file.Values)).deps;
  const principal = { oid: lab.identity.user("alice").oid, name: "alice", roles: ["Failover.Request"], idp: "lab" };
  const reason = "re-protect: the replica created after the last failover joins";
  const changed = await replaceMember(
    deps,
    stack.pair,
    { remove: retired.resourceId, add: real },
    { principal, reason, runId: "reprotect-e2e-1" },
  );
  assert.equal(changed.kind, "changed", JSON.stringify(changed));

  const shown = await stack.api.get<MembershipView>(`/api/pairs/${stack.pair}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.membership.source, "stored");
  assert.equal(shown.body.membership.changedBy?.name, "alice");
  assert.equal(shown.body.membership.reason, reason);
  assert.equal(shown.body.membership.runId, "reprotect-e2e-1");
  assert.ok(shown.body.membership.previous?.includes(retired.resourceId));
  assert.ok(shown.body.servers.some((s) => s.resourceId === real.resourceId));

  const after = await failover(stack, { dryRun: true });
  assert.equal(after.out.outcome, "dryRun", JSON.stringify(after.out));
  assert.equal(after.out.to, replica.name, "the stored member is the target");

  const audit = await deps.journal.list("reprotect-e2e-1");
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.step, "membership");
  assert.match(audit[0]!.summary, new RegExp(`by alice: .*-retired → .*: ${reason}`));
  assert.deepEqual((audit[0]!.detail as { previous: unknown }).previous, pairs[0]!.servers);

  // The reset: a reason is required (400 naming it), a reader may not (403), the requester may (200).
  const noReason = await stack.api.delete<{ error: { field: string } }>(`/api/pairs/${stack.pair}/membership`, {});
  assert.equal(noReason.status, 400);
  assert.equal(noReason.body.error.field, "reason");
  const reader = await stack.as("carol", ["Failover.Read"]);
  assert.equal((await reader.delete(`/api/pairs/${stack.pair}/membership`, { reason: "not mine" })).status, 403);
  const reset = await stack.api.delete<{ changed: boolean; membership: { source: string } }>(
    `/api/pairs/${stack.pair}/membership`,
    { reason: "back to the configuration" },
  );
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.equal(reset.body.membership.source, "config");
  // GET serves a view up to PGFLEX_PAIRS_VIEW_SECONDS old: the reset shows there within that.
  await waitFor(
    "the view back to the configured servers",
    async () => (await stack.api.get<MembershipView>(`/api/pairs/${stack.pair}`)).body.membership.source === "config",
  );
  const again = await failover(stack, { dryRun: true });
  assert.notEqual(again.out.outcome, "dryRun", "the configured (retired) server again");
});
