// The proof through the CNAME as the orchestration receives it: what the probe is asked (a new session, a write,
// the promoted server's own name and addresses, before any credential), what each TLS refusal is called, and that
// a verify-full failure is recorded, not fatal. Also the TTL restore's own-record check and the pair join.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeJoinPair } from "../../src/activities/join-pair";
import { makeRestoreTtl } from "../../src/activities/restore-ttl";
import { makeVerify } from "../../src/activities/verify";
import { WrongServerError, type PostgresProbe } from "../../src/probe/postgres-probe";
import type { Principal } from "../../src/domain/principal";
import { MemoryPairMembers } from "../../src/state/pair-members";
import { EUS, FakeDns, FakeServers, WUS, ZONE, fakeDeps, idOf, primaryState, replicaState } from "./fixtures";

const server = {
  resourceId: "x",
  name: "pg-wus",
  aRecord: "0a1b2c3d4e5f",
  aRecordFqdn: WUS,
  fqdn: "pg-wus.postgres.database.azure.com",
};
const CNAME = `prod.${ZONE}`;
const tls = { protocol: "TLSv1.3", subject: "CN=pg-wus", issuer: "CN=ca", subjectAltNames: "", validTo: "" };

/** DNS answers the new target; `inspect` answers per sslmode (a value, or an error to throw). */
function verifyWith(answers: { ca: unknown; full?: unknown }) {
  const asked: { name: string; sslmode: string; options: unknown }[] = [];
  const probe = {
    resolve: async (name: string) =>
      name === server.fqdn
        ? { chain: [], addresses: ["10.1.0.4", "10.1.0.5"], ttl: 30 }
        : { chain: [WUS], addresses: ["10.1.0.4"], ttl: 30 },
    inspect: async (name: string, _login: unknown, sslmode: string, options: unknown) => {
      asked.push({ name, sslmode, options });
      const a = sslmode === "verify-ca" ? answers.ca : answers.full;
      if (a instanceof Error) throw a;
      return a;
    },
  };
  const verify = makeVerify(
    fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}), probe as unknown as PostgresProbe),
  );
  return { run: () => verify({ runId: "r", pair: "prod", expectedTarget: WUS, server, answers: 1 }), asked };
}
const facts = {
  name: CNAME,
  address: "10.1.0.4",
  tls,
  inRecovery: false,
  transactionReadOnly: "off",
  serverVersion: "17.2",
  wroteAndRolledBack: true,
};
const tlsError = (code: string) => Object.assign(new Error(`tls: ${code}`), { code });

test("verified: the whole proof as recorded, after a fresh verify-ca session that wrote, checked against the server's own name", async () => {
  const v = verifyWith({ ca: facts, full: facts });
  const r = await v.run();
  assert.deepEqual(r, {
    kind: "verified",
    name: CNAME,
    cnameChain: [WUS],
    address: "10.1.0.4",
    tls,
    inRecovery: false,
    transactionReadOnly: "off",
    wroteAndRolledBack: true,
    serverVersion: "17.2",
    verifyFull: { ok: true },
    dnsAnswers: 1,
  });
  assert.deepEqual(v.asked, [
    {
      name: CNAME,
      sslmode: "verify-ca",
      options: { fresh: true, write: true, expectName: server.fqdn, expectAddresses: ["10.1.0.4", "10.1.0.5"] },
    },
    { name: CNAME, sslmode: "verify-full", options: { fresh: true } },
  ]);
});

test("verify-full failing on the CNAME name is recorded with its error, and the proof stands", async () => {
  const r = await verifyWith({ ca: facts, full: tlsError("ERR_TLS_CERT_ALTNAME_INVALID") }).run();
  assert.equal(r.kind, "verified");
  assert.deepEqual(r.kind === "verified" && r.verifyFull, {
    ok: false,
    error: "ERR_TLS_CERT_ALTNAME_INVALID: tls: ERR_TLS_CERT_ALTNAME_INVALID",
  });
});

test("an address that is not the promoted server's own: refused WrongServer before any login", async () => {
  const v = verifyWith({ ca: new WrongServerError(`${CNAME} resolved to 10.0.0.9`) });
  assert.deepEqual(await v.run(), {
    kind: "refused",
    code: "WrongServer",
    reason: `${CNAME} resolved to 10.0.0.9 (pg-wus.postgres.database.azure.com's own address); not logging in there`,
  });
  assert.equal(v.asked.length, 1, "no verify-full attempt after a refusal");
});

test("a certificate naming another server is WrongServer; one not chaining to the CA bundle is TlsUntrusted", async () => {
  const wrong = await verifyWith({ ca: tlsError("ERR_TLS_CERT_ALTNAME_INVALID") }).run();
  assert.equal(wrong.kind === "refused" && wrong.code, "WrongServer");
  assert.equal(
    wrong.kind === "refused" && wrong.reason,
    `verify-ca through ${CNAME} failed before login: ERR_TLS_CERT_ALTNAME_INVALID: tls: ERR_TLS_CERT_ALTNAME_INVALID; ` +
      `the server behind ${CNAME} presented a certificate that does not name pg-wus.postgres.database.azure.com`,
  );
  const untrusted = await verifyWith({ ca: tlsError("SELF_SIGNED_CERT_IN_CHAIN") }).run();
  assert.equal(untrusted.kind === "refused" && untrusted.code, "TlsUntrusted");
  assert.match(
    untrusted.kind === "refused" ? untrusted.reason : "",
    /failed before login: .*SELF_SIGNED_CERT_IN_CHAIN.*; the server's certificate does not chain to the configured CA bundle$/,
  );
});

test("any other error of the proof is thrown, so the orchestration's retry policy sees it", async () => {
  await assert.rejects(
    verifyWith({ ca: Object.assign(new Error("ECONNRESET"), { code: "ECONNRESET" }) }).run(),
    /ECONNRESET/,
  );
});

test("a server known only by its A record is checked against that name", async () => {
  const v = verifyWith({ ca: facts, full: facts });
  const { fqdn: _gone, ...byARecord } = server;
  const probe = v.asked;
  const verify = makeVerify(
    fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), new FakeServers({}), {
      resolve: async () => ({ chain: [WUS], addresses: ["10.1.0.4"], ttl: 30 }),
      inspect: async (name: string, _l: unknown, sslmode: string, options: unknown) => {
        probe.push({ name, sslmode, options });
        return facts;
      },
    } as unknown as PostgresProbe),
  );
  await verify({ runId: "r", pair: "prod", expectedTarget: WUS, server: byARecord, answers: 1 });
  assert.equal((probe[0]!.options as { expectName: string }).expectName, WUS);
});

test("restoreTtl on a record pointing at either of our servers: written with the same target, or left as it is", async () => {
  const dns = new FakeDns({ target: WUS, ttl: 30 });
  const restore = makeRestoreTtl(fakeDeps(dns, new FakeServers({})));
  const r = await restore({ runId: "r", pair: "prod", ttl: 3600, ownTargets: [EUS, WUS] });
  assert.deepEqual(r, { kind: "done", previousTtl: 30, ttl: 3600, etag: "2", changed: true });
  assert.deepEqual(dns.puts, [{ target: WUS, ttl: 3600, ifMatch: "1" }]);
  const again = await restore({ runId: "r", pair: "prod", ttl: 3600, ownTargets: [EUS, WUS] });
  assert.deepEqual(again, { kind: "done", previousTtl: 3600, ttl: 3600, etag: "2", changed: false });
  assert.equal(dns.puts.length, 1, "nothing written when the TTL is already right");
});

test("restoreTtl refuses, naming the target, when someone else repointed the record", async () => {
  const dns = new FakeDns({ target: "someone-else.example.com", ttl: 30 });
  const r = await makeRestoreTtl(fakeDeps(dns, new FakeServers({})))({
    runId: "r",
    pair: "prod",
    ttl: 3600,
    ownTargets: [EUS, WUS],
  });
  assert.deepEqual(r, {
    kind: "refused",
    code: "ConcurrentChange",
    reason: "the CNAME points at someone-else.example.com, set by someone else; its TTL is left alone",
  });
  assert.deepEqual(dns.puts, []);
});

test("joinPair: the new replica takes the old server's place; a refused change comes back with its code", async () => {
  const alice: Principal = { oid: "oid-alice", name: "alice", roles: ["Failover.Request"], idp: "aad" };
  const servers = new FakeServers({
    "pg-wus": primaryState("pg-wus"),
    "pg-eus": primaryState("pg-eus"),
    "pg-eus-2": replicaState("pg-eus-2", "pg-wus"),
  });
  const deps = fakeDeps(new FakeDns({ target: WUS, ttl: 30 }), servers, {}, undefined, new MemoryPairMembers());
  const join = makeJoinPair(deps);
  const args = { runId: "run-1", pair: "prod", reason: "re-protect", requester: alice };
  const NEW = { resourceId: idOf("pg-eus-2"), aRecord: "b2c3d4e5f6a1" };
  const r = await join({ ...args, remove: idOf("pg-eus"), add: NEW });
  const byId = (a: { resourceId: string }, b: { resourceId: string }) => a.resourceId.localeCompare(b.resourceId);
  assert.equal(r.kind, "joined");
  const wus = { resourceId: idOf("pg-wus"), aRecord: WUS.split(".")[0]! };
  assert.deepEqual(r.kind === "joined" && [...r.members].sort(byId), [wus, NEW].sort(byId));
  const again = await join({ ...args, remove: idOf("pg-eus"), add: NEW });
  assert.deepEqual(again, r, "a retry finds it done and answers the same");
  const refused = await join({ ...args, remove: idOf("pg-wus"), add: { resourceId: idOf("pg-x"), aRecord: "c3" } });
  assert.equal(refused.kind, "refused");
  assert.deepEqual(Object.keys(refused).sort(), ["code", "kind", "reason"]);
  assert.match(refused.kind === "refused" ? refused.reason : "", /CNAME serves pg-wus/);
});
