// Private DNS through the real @azure/arm-privatedns client, and the lab DNS server answering from the same store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startLab, type Lab } from "../../local/lab";
import { armFetch, clients, hasCommand, labResolver } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("lab private DNS: ARM record sets and the DNS server", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  before(async () => {
    lab = await startLab({ azurite: false });
    sdk = clients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  test("the zone GET and the seeded record sets have Azure's shapes", LAB_TEST, async () => {
    const { info } = lab;
    const zone = await armFetch(
      lab,
      "GET",
      `/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${info.zone}?api-version=2020-06-01`,
    );
    assert.equal(zone.status, 200);
    assert.equal(zone.body.name, info.zone);
    assert.equal(zone.body.type, "Microsoft.Network/privateDnsZones");

    const cname = await sdk.dns.recordSets.get(info.resourceGroup, info.zone, "CNAME", info.cnameRecord);
    assert.equal(cname.ttl, 3600);
    assert.equal(cname.cnameRecord?.cname, info.servers.primary.aRecordFqdn);
    assert.equal(cname.fqdn, `prod.${info.zone}.`);
    assert.equal(cname.isAutoRegistered, false);
    assert.match(cname.etag ?? "", /^[0-9a-f-]{36}$/);
    const a = await sdk.dns.recordSets.get(info.resourceGroup, info.zone, "A", info.servers.replica.aRecord);
    assert.deepEqual(a.aRecords, [{ ipv4Address: "127.0.0.2" }]);
    assert.match(info.servers.replica.aRecord, /^[0-9a-f]{12}$/);

    const all = [];
    for await (const rs of sdk.dns.recordSets.list(info.resourceGroup, info.zone))
      all.push(`${rs.type?.split("/").pop()}/${rs.name}`);
    assert.ok(all.includes("CNAME/prod") && all.includes("SOA/@") && all.includes(`A/${info.servers.primary.aRecord}`));
    const onlyA = [];
    for await (const rs of sdk.dns.recordSets.listByType(info.resourceGroup, info.zone, "A")) onlyA.push(rs.name);
    assert.equal(onlyA.length, 2);
    // "/ALL" in any case, paths case-insensitive
    const lower = await armFetch(
      lab,
      "GET",
      `/SUBSCRIPTIONS/${info.subscriptionId}/resourcegroups/${info.resourceGroup.toUpperCase()}/providers/microsoft.network/privatednszones/${info.zone}/aLL?api-version=2024-06-01`,
    );
    assert.equal(lower.status, 200);
    assert.equal(lower.body.value.length, all.length);
  });

  test(
    "etags: a write mints a new etag, a stale If-Match gets 412 PreconditionFailed, If-None-Match * refuses overwrite",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const rg = info.resourceGroup;
      const created = await sdk.dns.recordSets.createOrUpdate(
        rg,
        info.zone,
        "CNAME",
        "app1",
        { ttl: 300, cnameRecord: { cname: info.servers.primary.aRecordFqdn } },
        { ifNoneMatch: "*" },
      );
      const again = sdk.dns.recordSets.createOrUpdate(
        rg,
        info.zone,
        "CNAME",
        "app1",
        { ttl: 300, cnameRecord: { cname: "x.example" } },
        { ifNoneMatch: "*" },
      );
      await assert.rejects(again, (e: any) => e.statusCode === 412 && e.code === "PreconditionFailed");
      const updated = await sdk.dns.recordSets.createOrUpdate(
        rg,
        info.zone,
        "CNAME",
        "app1",
        { ttl: 30, cnameRecord: { cname: info.servers.replica.aRecordFqdn } },
        { ifMatch: created.etag },
      );
      assert.notEqual(updated.etag, created.etag);
      assert.equal(updated.ttl, 30);
      const stale = sdk.dns.recordSets.createOrUpdate(
        rg,
        info.zone,
        "CNAME",
        "app1",
        { ttl: 60, cnameRecord: { cname: info.servers.primary.aRecordFqdn } },
        { ifMatch: created.etag },
      );
      await assert.rejects(stale, (e: any) => e.statusCode === 412 && e.code === "PreconditionFailed");
      const patched = await sdk.dns.recordSets.update(
        rg,
        info.zone,
        "CNAME",
        "app1",
        { ttl: 10 },
        { ifMatch: updated.etag },
      );
      assert.equal(patched.ttl, 10);
      assert.equal(patched.cnameRecord?.cname, info.servers.replica.aRecordFqdn);
      await assert.rejects(
        sdk.dns.recordSets.delete(rg, info.zone, "CNAME", "app1", { ifMatch: updated.etag }),
        (e: any) => e.statusCode === 412,
      );
      await sdk.dns.recordSets.delete(rg, info.zone, "CNAME", "app1", { ifMatch: patched.etag });
      await assert.rejects(
        sdk.dns.recordSets.get(rg, info.zone, "CNAME", "app1"),
        (e: any) => e.statusCode === 404 && e.code === "NotFound",
      );
    },
  );

  test("a CNAME cannot coexist with other types; bad input is a 4xx in ARM's error shape", LAB_TEST, async () => {
    const { info } = lab;
    await sdk.dns.recordSets.createOrUpdate(info.resourceGroup, info.zone, "TXT", "both", {
      ttl: 60,
      txtRecords: [{ value: ["hello"] }],
    });
    await assert.rejects(
      sdk.dns.recordSets.createOrUpdate(info.resourceGroup, info.zone, "CNAME", "both", {
        ttl: 60,
        cnameRecord: { cname: "x.example" },
      }),
      (e: any) => e.statusCode === 409 && e.code === "Conflict",
    );
    assert.deepEqual(await labResolver(lab).resolveTxt(`both.${info.zone}`), [["hello"]]);
    const base = `/subscriptions/${info.subscriptionId}/resourceGroups/${info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${info.zone}`;
    const badIp = await armFetch(lab, "PUT", `${base}/A/bad?api-version=2020-06-01`, {
      properties: { ttl: 5, aRecords: [{ ipv4Address: "999.1.1.1" }] },
    });
    assert.equal(badIp.status, 400);
    assert.equal(badIp.body.error.code, "InvalidParameterValue");
    const noVersion = await armFetch(lab, "GET", `${base}/CNAME/prod`);
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.body.error.code, "MissingApiVersionParameter");
    const unknown = await armFetch(
      lab,
      "GET",
      `/subscriptions/${info.subscriptionId}/providers/Microsoft.Nothing/x?api-version=1`,
    );
    assert.equal(unknown.status, 404);
    assert.ok(unknown.body.error.code);
    const badJson = await new Promise<number>((resolve, reject) => {
      void import("node:https").then((https) => {
        const req = https.request(
          new URL(`${base}/A/x?api-version=1`, info.arm.endpoint),
          { method: "PUT", ca: info.caPem, headers: { Authorization: `Bearer ${info.arm.token}` } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end("{not json");
      });
    });
    assert.equal(badJson, 400);
  });

  test("requests without the lab's bearer token get 401 AuthenticationFailed", LAB_TEST, async () => {
    const r = await armFetch(
      lab,
      "GET",
      `/subscriptions/${lab.info.subscriptionId}/resourceGroups/${lab.info.resourceGroup}/providers/Microsoft.Network/privateDnsZones/${lab.info.zone}/CNAME/prod?api-version=1`,
      undefined,
      { Authorization: "Bearer wrong" },
    );
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, "AuthenticationFailed");
  });

  test(
    "the DNS server answers from the zone: CNAME chase, TTLs as stored, NXDOMAIN, REFUSED, public server names",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const r = labResolver(lab);
      assert.deepEqual(await r.resolveCname(`prod.${info.zone}`), [info.servers.primary.aRecordFqdn]);
      const a = await r.resolve4(`prod.${info.zone}`, { ttl: true });
      assert.deepEqual(
        a.map((x) => x.address),
        ["127.0.0.1"],
      );
      assert.equal(a[0]?.ttl, 30);
      const soa = await r.resolveSoa(info.zone);
      assert.equal(soa.nsname, "azureprivatedns.net");
      await assert.rejects(r.resolve4(`nothing.${info.zone}`), (e: any) => e.code === "ENOTFOUND");
      await assert.rejects(r.resolve4("example.com"), (e: any) => e.code === "EREFUSED");
      // "<server>.postgres.database.azure.com" → CNAME to its A record in the private zone, as Azure public DNS does
      assert.deepEqual(await r.resolveCname(info.servers.replica.fqdn), [info.servers.replica.aRecordFqdn]);
      assert.deepEqual(await r.resolve4(info.servers.replica.fqdn), ["127.0.0.2"]);
      await assert.rejects(r.resolve4("someone-else.postgres.database.azure.com"), (e: any) => e.code === "EREFUSED");
    },
  );

  test(
    "a CNAME update through the SDK is seen by DNS at once (Node resolver, and dig over UDP and TCP)",
    LAB_TEST,
    async () => {
      const { info } = lab;
      const name = `moving.${info.zone}`;
      await sdk.dns.recordSets.createOrUpdate(info.resourceGroup, info.zone, "CNAME", "moving", {
        ttl: 120,
        cnameRecord: { cname: info.servers.primary.aRecordFqdn },
      });
      const r = labResolver(lab);
      assert.deepEqual(await r.resolve4(name), ["127.0.0.1"]);
      const cur = await sdk.dns.recordSets.get(info.resourceGroup, info.zone, "CNAME", "moving");
      await sdk.dns.recordSets.createOrUpdate(
        info.resourceGroup,
        info.zone,
        "CNAME",
        "moving",
        { ttl: 5, cnameRecord: { cname: info.servers.replica.aRecordFqdn } },
        { ifMatch: cur.etag },
      );
      assert.deepEqual(await r.resolveCname(name), [info.servers.replica.aRecordFqdn]);
      assert.deepEqual(await r.resolve4(name), ["127.0.0.2"]);
      assert.ok(hasCommand("dig"), "dig is needed for this test; CI installs dnsutils");
      for (const transport of ["+notcp", "+tcp"]) {
        // async: the DNS server lives in this process, a sync exec would block it
        const { stdout: out } = await promisify(execFile)(
          "dig",
          ["@127.0.0.1", "-p", String(info.dns.port), transport, "+noall", "+answer", name, "A"],
          { encoding: "utf8" },
        );
        assert.match(
          out,
          new RegExp(
            `moving\\.${info.zone.replace(/\./g, "\\.")}\\.\\s+5\\s+IN\\s+CNAME\\s+${info.servers.replica.aRecordFqdn.replace(/\./g, "\\.")}\\.`,
          ),
        );
        assert.match(out, /IN\s+A\s+127\.0\.0\.2/);
      }
    },
  );
});
