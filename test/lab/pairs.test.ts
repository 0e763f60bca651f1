// A lab of several pairs: each pair its own servers, addresses, certificates, A records and CNAME, one initdb for
// all (copies of one cluster), every pair in the app's settings, regions across pairs, a broken replica, and the
// moment a promoted server left recovery.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startLab, type Lab } from "../../local/lab";
import { appSettingsFor } from "../../local/lab/app-settings";
import { readyForWrites } from "../../local/lab/pg-replication";
import { loadConfig } from "../../src/config/settings";
import { clients, labResolver, queryByName, waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("a lab of several pairs", () => {
  let lab: Lab;
  let sdk: ReturnType<typeof clients>;
  const logs: string[] = [];
  before(async () => {
    lab = await startLab({ pairs: 3, promoteDelayMs: 50, azurite: false, log: (l) => logs.push(l) });
    sdk = clients(lab);
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);
  const rg = () => lab.info.resourceGroup;

  test(
    "each pair has its own names, addresses, A records and CNAME; pair 0 is the lab's primary/replica",
    LAB_TEST,
    async () => {
      const { info } = lab;
      assert.deepEqual(
        info.pairs.map((p) => [p.name, p.cnameRecord, p.servers.primary.address, p.servers.replica.address]),
        [
          ["lab", "prod", "127.0.0.1", "127.0.0.2"],
          ["lab-1", "prod-1", "127.0.1.1", "127.0.1.2"],
          ["lab-2", "prod-2", "127.0.2.1", "127.0.2.2"],
        ],
      );
      assert.deepEqual(info.servers, info.pairs[0]!.servers);
      assert.equal(info.cnameRecord, "prod");
      const names = info.pairs.flatMap((p) => [p.servers.primary.name, p.servers.replica.name]);
      assert.equal(new Set(names).size, 6);
      assert.equal(lab.server("primary").name, info.pairs[0]!.servers.primary.name);
      assert.equal(lab.server(info.pairs[2]!.servers.replica.name).address, "127.0.2.2");
      assert.equal(lab.pids().postgres.length, 6);

      const dns = labResolver(lab);
      for (const p of info.pairs) {
        assert.deepEqual(await dns.resolveCname(`${p.cnameRecord}.${info.zone}`), [p.servers.primary.aRecordFqdn]);
        assert.deepEqual(await dns.resolve4(`${p.cnameRecord}.${info.zone}`), [p.servers.primary.address]);
        assert.deepEqual(await dns.resolve4(p.servers.replica.fqdn), [p.servers.replica.address]);
        // Its own certificate: verify-full by its own name, through the lab DNS.
        const [row] = await queryByName<{ a: string }>(
          lab,
          p.servers.replica.fqdn,
          "select host(inet_server_addr()) a",
        );
        assert.equal(row?.a, p.servers.replica.address);
      }

      const servers: { name?: string; sourceServerResourceId?: string; replicationRole?: string }[] = [];
      for await (const s of sdk.pg.servers.listByResourceGroup(rg())) servers.push(s);
      assert.equal(servers.length, 6);
      for (const p of info.pairs) {
        const replica = servers.find((s) => s.name === p.servers.replica.name);
        assert.equal(replica?.sourceServerResourceId, p.servers.primary.resourceId);
      }
    },
  );

  test(
    "one initdb: every cluster is a copy of one, with the lab's roles; each replica streams from its own primary",
    LAB_TEST,
    async () => {
      assert.equal(logs.filter((l) => /initdb/.test(l)).length, 1, logs.join("\n"));
      const ids = new Set<string>();
      for (const p of lab.info.pairs)
        for (const s of [p.servers.primary, p.servers.replica]) {
          const [row] = await lab.adminQuery<{ id: string }>(
            s.name,
            "select system_identifier::text id from pg_control_system()",
          );
          ids.add(row!.id);
          // The least-privilege role created once before the copies logs in everywhere.
          const [ro] = await lab.appQuery<{ r: boolean }>(s.name, "select pg_is_in_recovery() r");
          assert.equal(ro?.r, s === p.servers.replica);
        }
      assert.equal(ids.size, 1, "separate initdb runs would give each cluster its own system identifier");

      const [one, two] = lab.info.pairs.slice(1);
      const note = `pair-${Date.now()}`;
      await lab.adminQuery(one!.servers.primary.name, "insert into lab_writes(note) values ($1)", [note]);
      const count = async (server: string) =>
        Number(
          (await lab.adminQuery<{ n: string }>(server, "select count(*) n from lab_writes where note = $1", [note]))[0]!
            .n,
        );
      await waitFor("the write to reach lab-1's replica", async () => (await count(one!.servers.replica.name)) === 1);
      // Replicated data is on the replica; the other pairs' clusters never had it (they are separate servers).
      assert.equal(await count(two!.servers.primary.name), 0);
      assert.equal(await count(lab.info.servers.primary.name), 0);
    },
  );

  test(
    "the app's settings name every pair (lab, lab-1, …) and overrides can target one pair; the app accepts them",
    LAB_TEST,
    () => {
      const settings = appSettingsFor(lab.info, {
        timings: { drainCapSeconds: 5, stabiliseSeconds: 1 },
        perPair: { "lab-1": { timings: { drainCapSeconds: 0 }, promoteOption: "Forced" } },
      });
      const pairs = JSON.parse(settings.PGFLEX_PAIRS!) as {
        name: string;
        dns: { cname: string };
        servers: { resourceId: string; aRecord: string }[];
        promoteOption: string;
        timings: Record<string, number>;
      }[];
      assert.deepEqual(
        pairs.map((p) => [p.name, p.dns.cname, p.servers[0]!.resourceId, p.servers[1]!.aRecord]),
        lab.info.pairs.map((p) => [p.name, p.cnameRecord, p.servers.primary.resourceId, p.servers.replica.aRecord]),
      );
      const [p0, p1, p2] = pairs;
      assert.deepEqual(
        [p0!.timings.drainCapSeconds, p1!.timings.drainCapSeconds, p2!.timings.drainCapSeconds],
        [5, 0, 5],
      );
      assert.equal(p1!.timings.stabiliseSeconds, 1, "a pair's timings are merged with the common ones");
      assert.deepEqual(
        pairs.map((p) => p.promoteOption),
        ["Planned", "Forced", "Planned"],
      );
      // This lab runs without Azurite: any storage string does for validation.
      const config = loadConfig({ ...settings, AzureWebJobsStorage: "UseDevelopmentStorage=true" });
      assert.deepEqual(
        config.pairs.map((p) => p.name),
        ["lab", "lab-1", "lab-2"],
      );
      assert.throws(() => appSettingsFor(lab.info, { perPair: { "lab-9": {} } }), /no lab pair 'lab-9'/);
    },
  );

  test(
    "breakReplica: that pair's replica stops streaming and ARM reports it Broken; the others stay Active",
    LAB_TEST,
    async () => {
      const [, broken, fine] = lab.info.pairs;
      await lab.breakReplica(broken!.name);
      const [receiver] = await lab.adminQuery<{ n: number }>(
        broken!.servers.replica.name,
        "select count(*)::int n from pg_stat_wal_receiver",
      );
      assert.equal(receiver?.n, 0);
      await waitFor("the old walsender to go", async () => {
        const rows = await lab.adminQuery(broken!.servers.primary.name, "select 1 from pg_stat_replication");
        return rows.length === 0;
      });
      const [still] = await lab.adminQuery<{ r: boolean }>(
        broken!.servers.replica.name,
        "select pg_is_in_recovery() r",
      );
      assert.equal(still?.r, true, "it stays a standby");
      assert.equal((await sdk.pg.servers.get(rg(), broken!.servers.replica.name)).replica?.replicationState, "Broken");
      assert.equal((await sdk.pg.servers.get(rg(), fine!.servers.replica.name)).replica?.replicationState, "Active");
      const rows = await lab.adminQuery(fine!.servers.primary.name, "select state from pg_stat_replication");
      assert.deepEqual(rows, [{ state: "streaming" }]);
      await assert.rejects(lab.breakReplica("lab-7"), /no lab pair 'lab-7'/);
    },
  );

  test(
    "promotedAt: the moment a promoted server answered out of recovery, within its promote operation",
    LAB_TEST,
    async () => {
      const target = lab.info.pairs[2]!.servers.replica;
      assert.equal(lab.promotedAt(target.name), undefined);
      await sdk.pg.servers.beginUpdateAndWait(
        rg(),
        target.name,
        { replica: { promoteMode: "Standalone", promoteOption: "Planned" } },
        { updateIntervalInMs: 20 },
      );
      const at = lab.promotedAt(target.name);
      assert.ok(at, "recorded");
      const op = lab.operations().find((o) => o.kind === "promote" && o.resourceName === target.name);
      assert.ok(op?.endTime);
      assert.ok(
        Date.parse(op.startTime) <= Date.parse(at) && Date.parse(at) <= Date.parse(op.endTime),
        `${op.startTime} ≤ ${at} ≤ ${op.endTime}`,
      );
      const [row] = await lab.adminQuery<{ r: boolean }>(target.name, "select pg_is_in_recovery() r");
      assert.equal(row?.r, false);
      // Only that pair changed.
      assert.equal((await sdk.pg.servers.get(rg(), lab.info.servers.replica.name)).replicationRole, "GeoAsyncReplica");
    },
  );
  test("a region goes down for every pair, and comes back", LAB_TEST, async () => {
    // Last, so that no other test waits for the replicas to reconnect (PostgreSQL retries every 5 s).
    await lab.regionDown("eastus");
    try {
      for (const p of lab.info.pairs) {
        assert.equal((await sdk.pg.servers.get(rg(), p.servers.primary.name)).state, "Inaccessible", p.name);
        assert.equal((await sdk.pg.servers.get(rg(), p.servers.replica.name)).state, "Ready", p.name);
      }
      assert.equal(lab.pids().postgres.length, 3, "every eastus process is stopped, every westus one runs");
    } finally {
      await lab.regionUp("eastus");
    }
    for (const p of lab.info.pairs)
      assert.equal((await sdk.pg.servers.get(rg(), p.servers.primary.name)).state, "Ready");
    assert.equal(lab.pids().postgres.length, 6);
  });
});

test("readyForWrites: the server's own time for the end of recovery, not the read-only start of a standby", () => {
  const log = [
    "2026-11-27 09:32:39.652 UTC [22708] LOG:  database system is ready to accept read-only connections",
    "2026-11-27 09:32:39.838 UTC [22711] LOG:  received promote request",
    "2026-11-27 09:32:39.850 UTC [22711] LOG:  archive recovery complete",
    "2026-11-27 09:32:39.851 UTC [22708] LOG:  database system is ready to accept connections",
    "",
  ].join("\n");
  assert.equal(readyForWrites(log)?.toISOString(), "2026-11-27T09:32:39.851Z");
  assert.equal(readyForWrites(log.split("\n").slice(0, 3).join("\n")), undefined);
  assert.equal(readyForWrites(log.replaceAll(" UTC ", " CET ")), undefined, "only a zone it can read");
});
