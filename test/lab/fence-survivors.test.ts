// What the fence cannot stop, reported: the fence activity, as the app builds it, against the real lab
// primary. The probe's role ends other sessions with pg_signal_backend, which PostgreSQL refuses for a
// superuser's session (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL):
// those survive and are reported by user. Role and database settings (ALTER ROLE/DATABASE … SET) take
// precedence over the server parameter for the sessions they cover
// (https://www.postgresql.org/docs/current/config-setting.html#CONFIG-SETTING-SQL): those that switch the
// fence off are reported.
import assert from "node:assert/strict";
import pg from "pg";
import { after, before, describe, test } from "node:test";
import { makeFence } from "../../src/activities/fence";
import type { FenceResult } from "../../src/activities/contracts";
import { startLab, type Lab } from "../../local/lab";
import { labDeps, labServerRef } from "./app-deps";
import { waitFor } from "./helpers";
import { LAB_TEST } from "./timeouts";

describe("lab: the fence reports superuser survivors and settings that switch it off", () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ azurite: false });
  }, LAB_TEST);
  after(async () => lab?.stop(), LAB_TEST);

  const fence = (): Promise<FenceResult> =>
    makeFence(labDeps(lab))({
      runId: "fence-lab",
      pair: lab.info.pairs[0]!.name,
      server: labServerRef(lab, "primary"),
    });
  const unfence = async () => {
    await labDeps(lab).servers.setParameter(
      labServerRef(lab, "primary").resourceId,
      "default_transaction_read_only",
      "off",
    );
    await waitFor("new sessions on the primary to be writable again", async () => {
      const [row] = await lab.adminQuery<{ ro: string }>(
        "primary",
        "select current_setting('default_transaction_read_only') ro",
      );
      return row?.ro === "off" ? true : undefined;
    });
  };
  // A superuser of its own, without REPLICATION: the lab's bootstrap admin also has REPLICATION, and how
  // the fence treats replication roles is changing separately; this test is about superusers.
  const SUPERUSER = { user: "fence_superuser", password: "fence-superuser-pw" };
  const session = async (as: "superuser" | "app") => {
    const config = lab.clientConfig("primary", as === "app" ? "app" : "admin");
    const c = new pg.Client(as === "superuser" ? { ...config, ...SUPERUSER } : config);
    c.on("error", () => undefined); // an ended session errors here; the test reads its fate with a query
    await c.connect();
    return c;
  };
  const answers = (c: pg.Client) =>
    c.query("select 1").then(
      () => true,
      () => false,
    );

  test(
    "a superuser's open session survives the fence and is reported by user; a non-superuser's is ended",
    LAB_TEST,
    async () => {
      await lab.adminQuery(
        "primary",
        `create role ${SUPERUSER.user} superuser noreplication login password '${SUPERUSER.password}'`,
      );
      const superuser = await session("superuser");
      const app = await session("app");
      try {
        const r = await fence();
        assert.equal(r.kind, "fenced", JSON.stringify(r));
        const f = r.kind === "fenced" ? r : undefined;
        assert.deepEqual(f?.survivors, [{ user: SUPERUSER.user, sessions: 1 }]);
        assert.equal(await answers(superuser), true, "the superuser's session is still there");
        assert.equal(await answers(app), false, "the probe's own role's other session was ended");
      } finally {
        await superuser.end().catch(() => undefined);
        await app.end().catch(() => undefined);
        await unfence();
        await lab.adminQuery("primary", `drop role ${SUPERUSER.user}`);
      }
    },
  );

  test(
    "role and database settings that turn default_transaction_read_only off are reported; one that keeps it on is not",
    LAB_TEST,
    async () => {
      const { writer } = lab.info.postgres;
      const q = (sql: string) => lab.adminQuery("primary", sql);
      await q(`alter role ${writer.user} set default_transaction_read_only = off`);
      await q(`alter role ${writer.user} in database postgres set default_transaction_read_only = false`);
      await q("create database fence_other");
      await q("alter database fence_other set default_transaction_read_only = off");
      await q(`alter role ${lab.info.postgres.app.user} set default_transaction_read_only = on`);
      try {
        const r = await fence();
        assert.equal(r.kind, "fenced", JSON.stringify(r));
        assert.deepEqual(
          r.kind === "fenced" ? [...r.overrides].sort() : [],
          [`${writer.user} in all databases`, `${writer.user} in postgres`, "all roles in fence_other"].sort(),
        );
      } finally {
        await unfence(); // first: the fenced primary refuses these writes
        await q(`alter role ${writer.user} reset default_transaction_read_only`);
        await q(`alter role ${writer.user} in database postgres reset default_transaction_read_only`);
        await q(`alter role ${lab.info.postgres.app.user} reset default_transaction_read_only`);
        await q("drop database fence_other");
      }
    },
  );
});
