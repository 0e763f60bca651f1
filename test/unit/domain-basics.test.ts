// The small pure helpers every decision leans on: how an error is named in the audit, how DNS names and
// resource ids compare, LSN arithmetic for the lag and the fence's WAL target, and which lag sample counts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describeError } from "../../src/domain/describe-error";
import { keepRecent, lastAliveSample, MAX_SAMPLES, rpoGuard, type LagSample } from "../../src/domain/lag";
import { formatLsn, lagBytes, lastInsertedLsn, parseLsn } from "../../src/domain/lsn";
import { normalizeName, sameName, sameResourceId } from "../../src/domain/names";

test("an error is one line: HTTP status, code, the message's first line", () => {
  const arm = Object.assign(new Error("The server is busy.\nRetry later."), { statusCode: 409, code: "ServerBusy" });
  assert.equal(describeError(arm), "HTTP 409 ServerBusy: The server is busy.");
  assert.equal(describeError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })), "ECONNREFUSED: refused");
  assert.equal(describeError(new Error("plain")), "plain");
  assert.equal(describeError("a string\nsecond"), "a string");
  assert.equal(describeError(undefined), "undefined");
  assert.equal(describeError({ statusCode: "500", message: "x" }), "x", "a non-numeric status is not printed");
});

test("DNS names compare without case, surrounding space or the root dot; a missing name equals nothing", () => {
  assert.equal(normalizeName("  Prod.Corp.Example.COM.. "), "prod.corp.example.com");
  assert.equal(sameName("PROD.corp.", "prod.corp"), true);
  assert.equal(sameName("prod.corp", "prod.corp.other"), false);
  assert.equal(sameName(undefined, "prod"), false);
  assert.equal(sameName("prod", undefined), false);
  assert.equal(sameName(undefined, undefined), false);
  assert.equal(sameResourceId("/subscriptions/A/x", "/SUBSCRIPTIONS/a/X"), true);
  assert.equal(sameResourceId("/subscriptions/a/x", "/subscriptions/a/y"), false);
  assert.equal(sameResourceId(null, null), false);
  assert.equal(sameResourceId("", ""), false);
});

test("LSNs: parsed as byte positions, formatted as PostgreSQL does, lag never negative", () => {
  assert.equal(parseLsn(" 16/B374D848 "), (0x16n << 32n) + 0xb374d848n);
  assert.equal(parseLsn("16/b374d848"), parseLsn("16/B374D848"));
  for (const bad of ["16B374D848", "x16/B374D848", "16/B374D848x", "/1", "1/", "G/1"])
    assert.throws(() => parseLsn(bad), new RegExp(`not an LSN: ${bad.replace(/[/]/g, "\\/")}`), bad);
  assert.equal(formatLsn((0x16n << 32n) + 0xb374d848n), "16/B374D848");
  assert.equal(lagBytes("1/0", "0/FFFFFFF0"), 16);
  assert.equal(lagBytes("0/10", "0/10"), 0);
  assert.equal(lagBytes("0/10", "0/20"), 0, "a replica ahead (sampled later) is not behind");
});

test("the fence's WAL target: back over a page header (long at a segment start, short elsewhere), else unchanged", () => {
  const sizes = { page: 8192, segment: 16 * 1024 * 1024 };
  assert.equal(lastInsertedLsn("0/1000028", sizes), "0/1000000", "segment start: 40-byte header");
  assert.equal(lastInsertedLsn("0/1002018", sizes), "0/1002000", "page start: 24-byte header");
  assert.equal(lastInsertedLsn("0/1002020", sizes), "0/1002020");
});

const sample = (o: Partial<LagSample>): LagSample => ({
  at: "2026-12-04T10:00:00.000Z",
  primary: "pg-eus",
  replica: "pg-wus",
  bytes: 100,
  replaySeconds: 1,
  primaryAlive: true,
  ...o,
});

test("the sample that counts: the newest with that primary alive and the lag measured", () => {
  const good = sample({ at: "2026-12-04T10:01:00.000Z", bytes: 7 });
  const samples = [
    sample({ at: "2026-12-04T10:00:00.000Z" }),
    good,
    sample({ at: "2026-12-04T10:02:00.000Z", primaryAlive: false, bytes: 1 }),
    sample({ at: "2026-12-04T10:03:00.000Z", primary: "pg-wus", bytes: 2 }),
    sample({ at: "2026-12-04T10:04:00.000Z", bytes: null }),
  ];
  assert.equal(lastAliveSample(samples, "pg-eus"), good);
  assert.equal(lastAliveSample(samples.slice(2), "pg-eus"), undefined);
  assert.equal(lastAliveSample([], "pg-eus"), undefined);
  assert.equal(lastAliveSample([sample({ bytes: 0 })], "pg-eus")?.bytes, 0, "zero bytes is a measurement");
});

test("samples kept: the newest hour, oldest dropped first", () => {
  assert.equal(MAX_SAMPLES, 60);
  const many = Array.from({ length: 60 }, (_, i) => sample({ bytes: i }));
  const kept = keepRecent(many, sample({ bytes: 60 }));
  assert.equal(kept.length, 60);
  assert.deepEqual([kept[0]?.bytes, kept.at(-1)?.bytes], [1, 60]);
  assert.deepEqual(
    keepRecent([sample({ bytes: 1 })], sample({ bytes: 2 }), 5).map((s) => s.bytes),
    [1, 2],
  );
});

test("the RPO guard: exactly at the threshold goes ahead, one byte above waits, with the figure in the reason", () => {
  const risk = (bytes: number) => ({ bytes, replaySeconds: 1, source: "sample" as const, measuredAt: "t" });
  assert.equal(rpoGuard(risk(1000), 1000, false).ok, true);
  const over = rpoGuard(risk(1001), 1000, false);
  assert.equal(over.ok, false);
  assert.equal(
    !over.ok && over.reason,
    "the replica was 1001 bytes behind (sample at t), above this pair's rpo.maxLagBytes 1000: send acceptDataLoss: true to promote anyway",
  );
  assert.equal(rpoGuard(risk(1001), 1000, true).ok, true);
});

// Mutation testing (issue 23): names at their shortest, ids that are not a server's, the LSN's high half.
test("a one-character pair name or DNS label is valid; an id that is not a Flexible Server's is refused by name", async () => {
  const { PAIR_NAME, DNS_LABEL, parseServerId } = await import("../../src/domain/names");
  for (const ok of ["a", "7", "ab", "a-b"]) assert.ok(PAIR_NAME.test(ok) && DNS_LABEL.test(ok), ok);
  for (const bad of ["-a", "a-", "A"]) assert.equal(PAIR_NAME.test(bad), false, bad);
  const id =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-eus";
  assert.deepEqual(parseServerId(id), {
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg",
    name: "pg-eus",
  });
  for (const bad of [`x${id}`, `${id}/databases/postgres`, id.replace("flexibleServers", "servers")])
    assert.throws(() => parseServerId(bad), new Error(`not a Flexible Server resource id: ${bad}`));
  assert.equal(formatLsn((0x1an << 32n) + 0xabn), "1A/AB");
});

test("an approval covers only a known figure no larger than the one it was shown", async () => {
  const { riskCovered } = await import("../../src/domain/lag");
  const risk = (bytes: number | null) => ({ bytes, replaySeconds: 0, source: "sample" as const, measuredAt: "x" });
  assert.equal(riskCovered(risk(10), { bytes: 10 }), true);
  assert.equal(riskCovered(risk(11), { bytes: 10 }), false);
  assert.equal(riskCovered(risk(0), { bytes: null }), false, "an unknown figure accepted covers nothing measured");
  assert.equal(riskCovered(risk(null), { bytes: 10 }), false);
  assert.equal(riskCovered(risk(0), null), false);
});

test("a permission block grants an action when any of its actions matches and none of its notActions", async () => {
  const { missingActions } = await import("../../src/domain/rbac-actions");
  const need = ["Microsoft.DBforPostgreSQL/flexibleServers/read", "Microsoft.Network/privateDnsZones/CNAME/write"];
  assert.deepEqual(
    missingActions(need, [{ actions: ["Microsoft.Compute/*", "Microsoft.DBforPostgreSQL/*"], notActions: [] }]),
    ["Microsoft.Network/privateDnsZones/CNAME/write"],
  );
  assert.deepEqual(missingActions(need, [{ actions: ["*"], notActions: ["Microsoft.Network/*/write"] }]), [
    "Microsoft.Network/privateDnsZones/CNAME/write",
  ]);
});
