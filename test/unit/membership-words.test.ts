// A membership change refused, word for word where the operator fixes the request from it: the code, the members
// listed when the one named to leave is not one, a server replacing itself, a resource group not the pair's;
// and the A record of the server leaving may be taken by the one that joins (only the staying one's may not).
import assert from "node:assert/strict";
import { test } from "node:test";
import { replaceMember } from "../../src/activities/membership-change";
import { checkReplacement, type ReplacementContext } from "../../src/domain/membership";
import { FakeDns, FakeServers, SUB, WUS, ZONE, fakeDeps, idOf, pair } from "./fixtures";

const NEW = { resourceId: idOf("pg-eus-2"), aRecord: "b2c3d4e5f6a1" };
const ctx: ReplacementContext = { seed: pair.servers, zone: ZONE, cname: "prod", cnameTarget: WUS, otherPairs: [] };

test("a server not in the pair: refused InvalidMember on remove, listing the members", () => {
  assert.deepEqual(checkReplacement(pair.servers, { remove: idOf("pg-xyz"), add: NEW }, ctx), {
    ok: false,
    code: "InvalidMember",
    field: "remove",
    reason: `${idOf("pg-xyz")} is not a member of the pair (members: ${idOf("pg-eus")}, ${idOf("pg-wus")})`,
  });
});

test("a server cannot replace itself", () => {
  const r = checkReplacement(pair.servers, { remove: idOf("pg-eus"), add: pair.servers[0] }, ctx);
  assert.deepEqual(r.ok ? "accepted" : [r.field, r.reason], [
    "add.resourceId",
    `${idOf("pg-eus")} is the server leaving: a server cannot replace itself`,
  ]);
});

test("the joining server may have the A record of the one leaving", () => {
  const r = checkReplacement(
    pair.servers,
    { remove: idOf("pg-eus"), add: { ...NEW, aRecord: pair.servers[0].aRecord } },
    ctx,
  );
  assert.equal(r.ok, true, JSON.stringify(r));
});

test("a server in another resource group is refused naming where it is and what is allowed", () => {
  const elsewhere = `/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-x`;
  const r = checkReplacement(pair.servers, { remove: idOf("pg-eus"), add: { ...NEW, resourceId: elsewhere } }, ctx);
  assert.equal(
    r.ok ? "accepted" : r.reason,
    `pg-x is in resource group rg-other of subscription ${SUB}; only the subscription and resource group of the pair's configured servers are allowed`,
  );
});

test("a retry that finds the change stored but not audited writes the entry without the CNAME it did not read", async () => {
  const deps = fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}));
  const by = { principal: { oid: "o", name: "alice", roles: [], idp: "aad" }, reason: "re-protect", runId: "run-1" };
  const append = deps.journal.append.bind(deps.journal);
  let fail = true;
  deps.journal.append = async (e) => {
    if (fail) {
      fail = false;
      throw new Error("the host went away");
    }
    return append(e);
  };
  await assert.rejects(replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by));
  await replaceMember(deps, "prod", { remove: idOf("pg-eus"), add: NEW }, by);
  const [entry] = await deps.journal.list("run-1");
  assert.equal(entry!.summary, "membership of prod by alice: pg-eus + pg-wus → pg-eus-2 + pg-wus: re-protect");
});
