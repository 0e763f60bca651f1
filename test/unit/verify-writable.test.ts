// The proof through the CNAME is a write: a server the CNAME leads to that is in recovery, read-only, or
// where the write was not made is refused NotWritable (never "verified"), and nothing more is asked of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeVerify } from "../../src/activities/verify";
import type { PostgresProbe, ServerFacts } from "../../src/probe/postgres-probe";
import { FakeDns, FakeServers, WUS, ZONE, fakeDeps } from "./fixtures";

const server = {
  resourceId: "x",
  name: "pg-wus",
  aRecord: "0a1b2c3d4e5f",
  aRecordFqdn: WUS,
  fqdn: "pg-wus.postgres.database.azure.com",
};

const writable: Pick<ServerFacts, "inRecovery" | "transactionReadOnly" | "wroteAndRolledBack"> = {
  inRecovery: false,
  transactionReadOnly: "off",
  wroteAndRolledBack: true,
};

/** DNS answers the new target; the connection through the CNAME reports these facts. */
function verifyAnswering(facts: Partial<ServerFacts>) {
  const inspected: string[] = [];
  const probe = {
    resolve: async () => ({ chain: [WUS], addresses: ["10.1.0.4"], ttl: 30 }),
    inspect: async (_name: string, _login: unknown, sslmode: string) => {
      inspected.push(sslmode);
      return {
        name: `prod.${ZONE}`,
        address: "10.1.0.4",
        tls: { protocol: "TLSv1.3", subject: "", issuer: "", subjectAltNames: "", validTo: "" },
        serverVersion: "17",
        ...writable,
        ...facts,
      };
    },
  };
  const verify = makeVerify(
    fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}), probe as unknown as PostgresProbe),
  );
  return { run: () => verify({ runId: "r", pair: "prod", expectedTarget: WUS, server, answers: 1 }), inspected };
}

test("writable through the CNAME: verified, then verify-full is tried on the CNAME name", async () => {
  const v = verifyAnswering({});
  const r = await v.run();
  assert.equal(r.kind, "verified", JSON.stringify(r));
  assert.deepEqual(v.inspected, ["verify-ca", "verify-full"]);
});

// One fact wrong at a time, so that each part of the check is shown to refuse on its own (the real probe
// only attempts the write on a server out of recovery and read-write; test/lab/verify-writable.test.ts).
for (const [what, facts, shown] of [
  ["still in recovery", { inRecovery: true }, "in recovery true, transaction_read_only off"],
  ["read-only", { transactionReadOnly: "on" }, "in recovery false, transaction_read_only on"],
  ["out of recovery and read-write but the write was not made", { wroteAndRolledBack: false }, "in recovery false"],
] as const) {
  test(`the server behind the CNAME is ${what}: refused NotWritable with its address, not verified`, async () => {
    const v = verifyAnswering(facts);
    const r = await v.run();
    assert.equal(r.kind, "refused", JSON.stringify(r));
    assert.equal(r.kind === "refused" && r.code, "NotWritable");
    assert.match(
      r.kind === "refused" ? r.reason : "",
      new RegExp(`prod\\.${ZONE.replace(/\./g, "\\.")} \\(10\\.1\\.0\\.4\\) is not writable: ${shown}`),
    );
    assert.deepEqual(v.inspected, ["verify-ca"], "nothing more is asked of a server that is not writable");
  });
}
