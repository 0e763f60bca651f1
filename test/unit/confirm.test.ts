// "Down means down": only a network-level failure counts as the primary being down; any reply from
// PostgreSQL (a refused login included) proves it alive; what could not be asked says nothing. And the
// verdict: an automatic failover also needs Azure (ARM or Resource Health) to agree. Real sockets where a
// real failure can be produced on loopback.
import assert from "node:assert/strict";
import net from "node:net";
import { Resolver } from "node:dns/promises";
import { test } from "node:test";
import { DatabaseError } from "pg";
import { makeConfirmDown } from "../../src/activities/confirm-down";
import { confirmVerdict, type ConfirmFacts } from "../../src/domain/confirm";
import { livenessOf } from "../../src/domain/liveness";
import { connect } from "../../src/probe/pg-connect";
import { FakeDns, FakeHealth, FakeServers, EUS, fakeDeps, idOf, pair, primaryState } from "./fixtures";

const options = (port: number, connectTimeoutMs = 300) => ({
  host: "pg-eus.postgres.database.azure.com",
  address: "127.0.0.1",
  port,
  database: "postgres",
  user: "probe",
  password: async () => "pw",
  ca: [],
  sslmode: "verify-full" as const,
  connectTimeoutMs,
});

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A listener that runs `onSocket` for each connection (a server that is there but says what it says). */
async function listener(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((c) => {
    sockets.add(c);
    c.on("error", () => undefined);
    onSocket(c);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => (sockets.forEach((c) => c.destroy()), s.close(() => r()))),
  };
}

test("a refused connection and a server that never answers are down", async () => {
  assert.equal(livenessOf(await errorOf(connect(options(await closedPort())))), "down");
  const silent = await listener(() => undefined); // accepts, never says a word
  try {
    const e = await errorOf(connect(options(silent.port, 200)));
    assert.equal(livenessOf(e), "down", String(e));
  } finally {
    await silent.close();
  }
});

test("any reply from the server proves it alive: a PostgreSQL error (refused login, too many connections), a TLS answer", async () => {
  for (const code of ["28000", "28P01", "53300", "57P03"]) {
    // As pg-protocol's parser builds it from an ErrorResponse: the server's SQLSTATE and severity.
    const e = Object.assign(new DatabaseError("no pg_hba.conf entry for host", 120, "error"), {
      code,
      severity: "FATAL",
    });
    assert.equal(livenessOf(e), "alive", code);
  }
  const noSsl = await listener((c) => c.once("data", () => c.write("N"))); // answers the SSL request: no TLS
  try {
    assert.equal(livenessOf(await errorOf(connect(options(noSsl.port)))), "alive");
  } finally {
    await noSsl.close();
  }
  assert.equal(livenessOf(Object.assign(new Error("cert"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" })), "alive");
});

test("what could not be asked says nothing: our DNS failing, our token failing", async () => {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([`127.0.0.1:${await closedPort()}`]);
  const dnsError = await errorOf(r.resolve4("pg-eus.postgres.database.azure.com"));
  assert.equal(livenessOf(dnsError), "unknown", String(dnsError));
  assert.equal(livenessOf(new Error("ManagedIdentityCredential authentication failed")), "unknown");
});

const facts = (over: Partial<ConfirmFacts> = {}): ConfirmFacts => ({
  tries: [
    { liveness: "down", detail: "try 1: ECONNREFUSED" },
    { liveness: "down", detail: "try 2: ECONNREFUSED" },
  ],
  armState: "Ready",
  health: "Unavailable",
  ...over,
});

test("the verdict: one answer is a false alarm; one look that could not tell leaves it unconfirmed", () => {
  const answered = facts({ tries: [{ liveness: "alive", detail: "try 1: 28000" }] });
  assert.deepEqual(confirmVerdict("pg", answered, false), {
    down: false,
    code: "PrimaryAnswers",
    reason: "pg answers: try 1: 28000",
  });
  const unsure = facts({ tries: [...facts().tries, { liveness: "unknown", detail: "try 3: token" }] });
  assert.equal((confirmVerdict("pg", unsure, false) as { code: string }).code, "NotConfirmed");
  assert.equal((confirmVerdict("pg", facts({ tries: [] }), false) as { code: string }).code, "NotConfirmed");
  assert.equal(confirmVerdict("pg", facts(), false).down, true);
});

test("the verdict: automatic needs Azure to agree — ARM Ready blocks unless Resource Health says not Available", () => {
  const table: [ConfirmFacts["armState"], ConfirmFacts["health"], boolean][] = [
    ["Ready", "Available", false],
    ["Ready", "Unknown", false],
    ["Ready", null, false],
    ["Ready", "Unavailable", true],
    ["Ready", "Degraded", true],
    ["Inaccessible", "Available", true],
    [null, null, true],
  ];
  for (const [armState, health, down] of table) {
    assert.equal(confirmVerdict("pg", facts({ armState, health }), true).down, down, `${armState}/${health}`);
    assert.equal(confirmVerdict("pg", facts({ armState, health }), false).down, true, "a person decides under propose");
  }
});

test("confirmDown stops looking at the first answer and reports ARM and Resource Health beside the looks", async () => {
  const servers = new FakeServers({ eus: primaryState() });
  const health = new FakeHealth();
  health.states.set(idOf("pg-eus"), { state: "Available", summary: "no issue", reasonType: null });
  let looks = 0;
  const refused = Object.assign(new DatabaseError("password authentication failed", 90, "error"), {
    code: "28P01",
    severity: "FATAL",
  });
  const deps = fakeDeps(
    new FakeDns({ target: EUS, ttl: 30 }),
    servers,
    {
      inspect: async () => {
        looks++;
        throw refused;
      },
    },
    health,
  );
  const server = { resourceId: idOf("pg-eus"), name: "pg-eus", aRecord: "a", aRecordFqdn: EUS, fqdn: "pg-eus.x" };
  const r = await makeConfirmDown(deps)({ runId: "r", pair: pair.name, server, tries: 3, windowSeconds: 0 });
  assert.equal(looks, 1);
  assert.ok(r.kind === "checked");
  assert.deepEqual(
    r.tries.map((t) => t.liveness),
    ["alive"],
  );
  assert.match(r.tries[0]!.detail, /answered, refusing: 28P01/);
  assert.deepEqual([r.arm.state, r.health.state], ["Ready", "Available"]);
  assert.equal(r.health.detail, "Resource Health: Available: no issue");
});

// Mutation testing (issue 23): what counts as the server's own answer, and what as silence, at the rules' edges.
test("liveness at the edges: only a SQLSTATE with a severity is PostgreSQL's answer; only our own DNS failing is unknown", () => {
  const e = (message: string, props: Record<string, unknown> = {}) => Object.assign(new Error(message), props);
  const cases: [unknown, string, string][] = [
    [e("password authentication failed", { code: "28P01", severity: "FATAL" }), "alive", "PostgreSQL's own refusal"],
    [e("x", { code: "28P01" }), "unknown", "a SQLSTATE-looking code without PostgreSQL's severity"],
    [e("x", { code: "X28P01", severity: "FATAL" }), "unknown", "six characters are no SQLSTATE"],
    [e("x", { code: "28P012", severity: "FATAL" }), "unknown", "nor is a SQLSTATE with a tail"],
    [e("x", { code: 12345, severity: "ERROR" }), "unknown", "a numeric code is no SQLSTATE"],
    [e("connect ECONNREFUSED", { code: "ECONNREFUSED", severity: "ERROR" }), "down", "a socket error is not an answer"],
    [e("queryA ETIMEDOUT", { code: "ETIMEDOUT", syscall: "queryA" }), "unknown", "our resolver timing out"],
    [e("getaddrinfo ETIMEDOUT", { code: "ETIMEDOUT", syscall: "getaddrinfo" }), "unknown", "our resolver timing out"],
    [e("connect ETIMEDOUT", { code: "ETIMEDOUT", syscall: "connect" }), "down", "the server not answering"],
    ["Connection terminated unexpectedly", "down", "a thrown string is read as the message"],
    [e("query failed: timeout expired"), "unknown", "node-postgres' words only at the start"],
    [e("cert", { code: "UNABLE_TO_GET_ISSUER_CERT" }), "alive", "a certificate was sent"],
    [e("cert", { code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" }), "alive", "a certificate was sent"],
    [e("cert", { code: "ERR_SSL_WRONG_VERSION_NUMBER" }), "alive", "a TLS reply"],
    [e("cert", { code: "X_CERT_HAS_EXPIRED" }), "unknown", "a TLS code only as a whole"],
    [e("cert", { code: "CERT_HAS_EXPIRED_X" }), "unknown", "a TLS code only as a whole"],
  ];
  for (const [err, want, why] of cases) assert.equal(livenessOf(err), want, why);
});
