// The fence ends every session that could still write on the old primary — also those of a role WITH
// REPLICATION (on Azure, admins grant it for logical replication, and apps often log in as the admin): only
// walsenders, which feed the replica, are spared. Before, any session of a REPLICATION role survived the
// fence unreported and could commit after the WAL position the replica catches up to.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Client } from "pg";
import { startLab, type Lab } from "../../local/lab";
import { appSettingsFor } from "../../local/lab/app-settings";
import { fenceServer, liftFence } from "../../src/activities/fencing";
import { buildServices } from "../../src/app/services";
import { loadConfig } from "../../src/config/settings";
import { connect } from "../../src/probe/pg-connect";
import { LAB_TEST } from "./timeouts";

let lab: Lab;
before(async () => {
  lab = await startLab({ azurite: false });
}, LAB_TEST);
after(async () => lab?.stop(), LAB_TEST);

function writerSession(): Promise<Client> {
  const { info } = lab;
  const p = info.servers.primary;
  return connect({
    host: p.fqdn,
    address: p.address,
    port: info.postgres.port,
    database: "postgres",
    user: info.postgres.writer.user,
    password: async () => info.postgres.writer.password,
    ca: [info.caPem],
    sslmode: "verify-ca",
    connectTimeoutMs: 5000,
  });
}

test(
  "a REPLICATION role's open transaction is ended by the fence; the replica's walsender is not",
  LAB_TEST,
  async () => {
    const { info } = lab;
    await lab.adminQuery("primary", `alter role "${info.postgres.writer.user}" with replication`);
    const session = await writerSession();
    session.on("error", () => undefined);
    await session.query("begin");
    await session.query("insert into traffic_writes(client_id) values (gen_random_uuid())");

    const config = loadConfig({ ...appSettingsFor(info), AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    const { deps } = buildServices(config);
    const pair = config.pairs[0]!;
    const server = pair.servers.find((s) => s.resourceId === info.servers.primary.resourceId)!;
    const ref = {
      resourceId: server.resourceId,
      name: info.servers.primary.name,
      aRecord: server.aRecord,
      aRecordFqdn: info.servers.primary.aRecordFqdn,
      fqdn: info.servers.primary.fqdn,
    };
    const fenced = await fenceServer(deps, pair, ref);
    try {
      assert.ok(fenced.ended >= 1, `sessions ended: ${fenced.ended}`);
      await assert.rejects(session.query("commit"), "the open transaction cannot commit after the fence");
      const [walsenders] = await lab.adminQuery<{ n: number }>(
        "primary",
        "select count(*)::int n from pg_stat_replication where state = 'streaming'",
      );
      assert.equal(walsenders!.n, 1, "the replica still streams");
      const [lsn] = await lab.adminQuery<{ ok: boolean }>(
        "primary",
        "select $1::pg_lsn <= pg_current_wal_insert_lsn() ok",
        [fenced.lsn],
      );
      assert.equal(lsn!.ok, true);
    } finally {
      await session.end().catch(() => undefined);
      await liftFence(deps, pair, ref, "off");
    }
  },
);
