// The proof through the CNAME needs N answers in a row for the new target: one stale answer from one
// of the resolver's servers restarts the count, and nothing connects before the count is reached.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeVerify } from "../../src/activities/verify";
import type { PostgresProbe } from "../../src/probe/postgres-probe";
import { EUS, FakeDns, FakeServers, WUS, ZONE, fakeDeps } from "./fixtures";

const server = {
  resourceId: "x",
  name: "pg-wus",
  aRecord: "0a1b2c3d4e5f",
  aRecordFqdn: WUS,
  fqdn: "pg-wus.postgres.database.azure.com",
};

function probeAnswering(answers: string[]) {
  const asked: string[] = [];
  let connected = 0;
  const probe = {
    resolve: async (name: string) => {
      asked.push(name);
      if (name === server.fqdn) return { chain: [WUS], addresses: ["10.1.0.4"], ttl: 30 };
      const target = answers.shift() ?? WUS;
      return { chain: [target], addresses: [target === WUS ? "10.1.0.4" : "10.0.0.4"], ttl: 30 };
    },
    inspect: async () => {
      connected++;
      return {
        name: `prod.${ZONE}`,
        address: "10.1.0.4",
        tls: { protocol: "TLSv1.3", subject: "", issuer: "", subjectAltNames: "", validTo: "" },
        inRecovery: false,
        transactionReadOnly: "off",
        serverVersion: "17",
        wroteAndRolledBack: true,
      };
    },
  };
  return { probe: probe as unknown as PostgresProbe, asked, connected: () => connected };
}

test("a stale answer among the N is 'not yet', with how many were right in a row, and nothing connects", async () => {
  const p = probeAnswering([WUS, WUS, EUS]);
  const verify = makeVerify(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}), p.probe));
  const r = await verify({ runId: "r", pair: "prod", expectedTarget: WUS, server, answers: 3 });
  assert.deepEqual(r, { kind: "dnsNotYet", answer: EUS, ttl: 30, inARow: 2 });
  assert.equal(p.connected(), 0);
});

test("N answers in a row for the new target, then the proof", async () => {
  const p = probeAnswering([WUS, WUS, WUS]);
  const verify = makeVerify(fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}), p.probe));
  const r = await verify({ runId: "r", pair: "prod", expectedTarget: WUS, server, answers: 3 });
  assert.equal(r.kind, "verified");
  assert.equal(r.kind === "verified" && r.dnsAnswers, 3);
  assert.equal(p.asked.filter((n) => n === `prod.${ZONE}`).length, 3);
});
