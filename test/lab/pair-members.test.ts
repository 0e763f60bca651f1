// The stored membership on real Table storage (the lab's Azurite) and the lab's real CNAME: two re-protect runs
// that replace the same member at the same moment cannot both win (the etag), the loser decides again on what
// the winner wrote; a server of another configured pair or the server the CNAME serves is refused; a reset goes
// back to the configured servers. What the app reads (deps.pair) follows each change.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startLab, type Lab } from "../../local/lab";
import { appSettingsFor } from "../../local/lab/app-settings";
import type { ActivityDeps } from "../../src/activities/deps";
import { replaceMember, resetMembership } from "../../src/activities/membership-change";
import { buildServices } from "../../src/app/services";
import { loadConfig } from "../../src/config/settings";
import { credentialFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

const principal = {
  oid: "00000000-0000-0000-0000-0000000000a1",
  name: "alice",
  roles: ["Failover.Request"],
  idp: "lab",
};

describe("a pair's stored membership", () => {
  let lab: Lab;
  let deps: ActivityDeps;
  before(async () => {
    lab = await startLab({ pairs: 2 });
    deps = buildServices(loadConfig(appSettingsFor(lab.info)), credentialFor(lab)).deps;
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);
  const pair = () => lab.info.pairs[0]!;

  test(
    "two concurrent replacements of the same member: one wins, the other is refused on a fresh read",
    LAB_TEST,
    async () => {
      const { primary, replica } = pair().servers;
      const candidate = (n: number) => ({ resourceId: `${replica.resourceId}x${n}`, aRecord: `reprotect-${n}` });
      const results = await Promise.all(
        [1, 2].map((n) =>
          replaceMember(
            deps,
            pair().name,
            { remove: replica.resourceId, add: candidate(n) },
            { principal, reason: `re-protect ${n}`, runId: `race-${n}` },
          ),
        ),
      );
      const kinds = results.map((r) => r.kind).sort();
      assert.deepEqual(kinds, ["changed", "refused"], JSON.stringify(results));
      const winner = results.findIndex((r) => r.kind === "changed") + 1;
      const loser = results.find((r) => r.kind === "refused");
      assert.match(loser?.kind === "refused" ? loser.reason : "", /is not a member of the pair/);

      const now = await deps.pair(pair().name);
      assert.equal(now.membership.source, "stored");
      assert.deepEqual(
        now.servers.map((s) => s.resourceId),
        [primary.resourceId, candidate(winner).resourceId],
      );
      assert.equal((await deps.journal.list(`race-${winner}`)).length, 1, "the winner's change is audited");
      assert.equal((await deps.journal.list(`race-${3 - winner}`)).length, 0, "the loser wrote nothing");
    },
  );

  test("refused: a server of the other pair, and the server the CNAME serves", LAB_TEST, async () => {
    const other = lab.info.pairs[1]!.servers.replica;
    const current = (await deps.pair(pair().name)).servers;
    const stranger = await replaceMember(
      deps,
      pair().name,
      { remove: current[1].resourceId, add: { resourceId: other.resourceId, aRecord: "stolen" } },
      { principal, reason: "wrong", runId: "wrong-1" },
    );
    assert.equal(stranger.kind, "refused");
    assert.match(
      stranger.kind === "refused" ? stranger.reason : "",
      new RegExp(`belongs to pair "${lab.info.pairs[1]!.name}"`),
    );
    const primaryOut = await replaceMember(
      deps,
      pair().name,
      {
        remove: pair().servers.primary.resourceId,
        add: { resourceId: `${pair().servers.primary.resourceId}x9`, aRecord: "reprotect-9" },
      },
      { principal, reason: "wrong", runId: "wrong-2" },
    );
    assert.equal(primaryOut.kind, "refused");
    assert.equal(primaryOut.kind === "refused" ? primaryOut.field : "", "remove");
    assert.deepEqual((await deps.pair(pair().name)).servers, current, "nothing changed");
  });

  test("a reset goes back to the configured servers (the CNAME serves one of them)", LAB_TEST, async () => {
    const r = await resetMembership(deps, pair().name, { principal, reason: "back to config", runId: "reset-1" });
    assert.equal(r.kind, "changed", JSON.stringify(r));
    const now = await deps.pair(pair().name);
    assert.equal(now.membership.source, "config");
    assert.deepEqual(
      now.servers.map((s) => s.resourceId),
      [pair().servers.primary.resourceId, pair().servers.replica.resourceId],
    );
    assert.equal((await deps.members.read(pair().name)) ?? null, null, "the row is gone");
  });
});
