// The A record the pair names for the replica leads to the primary's address (a stale record someone left in
// the zone, named in the pair's settings): the repoint would write that record into the CNAME and send
// applications back to the old primary. The run is refused at preflight and nothing changes.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { cnameRecord, dnsClient, follow, inRecovery, requestFailover, roles, start } from "./helpers";

test("the replica's A record leads to the primary's address: refused ARecordMismatch at preflight, nothing changed", async (t) => {
  const stack = await start();
  t.after(() => stack.stop());
  const { lab } = stack;
  const { info } = lab;
  // An A record in the private zone, written through ARM as a person would (Private DNS record sets:
  // https://learn.microsoft.com/rest/api/dns/privatednszones/record-sets/create-or-update), with the
  // primary's address. The replica's own name still leads to the replica: in the lab, as for a
  // private-access server in Azure, "<server>.postgres.database.azure.com" is a CNAME to its own A record.
  const stale = "0123456789ab";
  await dnsClient(stack).recordSets.createOrUpdate(info.resourceGroup, info.zone, "A", stale, {
    ttl: 30,
    aRecords: [{ ipv4Address: info.servers.primary.address }],
  });
  const values = JSON.parse(readFileSync(stack.settingsFile, "utf8"));
  const pairs = JSON.parse(values.Values.PGFLEX_PAIRS);
  assert.equal(pairs[0].servers[1].resourceId, info.servers.replica.resourceId);
  pairs[0].servers[1].aRecord = stale;
  values.Values.PGFLEX_PAIRS = JSON.stringify(pairs);
  writeFileSync(stack.settingsFile, JSON.stringify(values), { mode: 0o600 });
  await stack.restartHost();

  const before = { cname: cnameRecord(stack), roles: roles(stack) };
  assert.deepEqual(
    [before.cname.target, before.cname.ttl],
    [info.servers.primary.aRecordFqdn, 3600],
    "the CNAME serves the primary",
  );
  lab.clearRequests();
  const run = await follow(stack, (await requestFailover(stack, {})).id);
  assert.deepEqual([run.out.outcome, run.out.failedStep, run.out.code], ["refused", "preflight", "ARecordMismatch"]);
  assert.match(
    run.out.reason ?? "",
    new RegExp(`the A record ${stale}\\.${info.zone.replace(/\./g, "\\.")} \\(${info.servers.primary.address}\\)`),
  );
  // Nothing changed: no ARM write at all, the CNAME and its TTL as they were, the replica still a
  // streaming standby, the primary unfenced and taking writes.
  const writes = lab.requests().filter((r) => r.method !== "GET");
  assert.deepEqual(writes, [], "no ARM write");
  assert.deepEqual(cnameRecord(stack), before.cname);
  assert.deepEqual(roles(stack), before.roles);
  assert.equal(await inRecovery(stack, "replica"), true);
  const [ro] = await lab.adminQuery<{ ro: string }>(
    "primary",
    "select current_setting('default_transaction_read_only') ro",
  );
  assert.equal(ro!.ro, "off");
});
