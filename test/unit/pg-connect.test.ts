// verify-ca through the CNAME still checks, during the TLS handshake, that the certificate names the
// server we mean to reach: a server with another name never receives the startup message, let alone a
// password or token. A small PostgreSQL-shaped TLS listener on loopback records what reaches it.
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { after, before, test } from "node:test";
import { createCa, issueServerCert } from "../../local/lab/certs";
import { connect } from "../../src/probe/pg-connect";

let caPem: string;
let server: net.Server;
let port: number;
/** Bytes of application data each connection delivered after the TLS handshake. */
const received: number[] = [];

before(async () => {
  const ca = await createCa("test CA");
  const leaf = await issueServerCert(ca, ["pg-other.postgres.database.azure.com"]);
  caPem = ca.certPem;
  server = net.createServer((socket) => {
    // PostgreSQL's SSLRequest is 8 bytes; answer 'S' and switch to TLS.
    socket.once("data", () => {
      socket.write("S");
      const secure = new tls.TLSSocket(socket, { isServer: true, key: leaf.keyPem, cert: leaf.certPem });
      const i = received.push(0) - 1;
      secure.on("data", (d: Buffer) => (received[i]! += d.length));
      secure.on("error", () => undefined);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

const options = (expectName: string, onPassword: () => void) => ({
  host: "prod.corp.private.postgres.database.azure.com",
  address: "127.0.0.1",
  port,
  database: "postgres",
  user: "probe",
  password: async () => (onPassword(), "token-or-password"),
  ca: [caPem],
  sslmode: "verify-ca" as const,
  expectName,
  connectTimeoutMs: 2000,
});

test("a certificate naming another server is refused in the handshake: nothing is sent, no password is asked", async () => {
  received.length = 0;
  let asked = false;
  await assert.rejects(
    connect(options("pg-wus.postgres.database.azure.com", () => (asked = true))),
    (e: { code?: string }) => e.code === "ERR_TLS_CERT_ALTNAME_INVALID",
  );
  assert.equal(received.length, 1, "the handshake was attempted");
  assert.equal(received[0], 0, "not one byte of the startup message reached the wrong server");
  assert.equal(asked, false);
});

test("control: with the expected name the handshake completes and the startup message goes out", async () => {
  received.length = 0;
  const attempt = connect({
    ...options("pg-other.postgres.database.azure.com", () => undefined),
    connectTimeoutMs: 500,
  });
  await assert.rejects(attempt); // the listener never answers the startup message
  assert.ok(received[0]! > 0, "the startup message reached the server");
});

test("the probe refuses to dial an address that is not the expected server's own, before connecting", async () => {
  const { PostgresProbe, WrongServerError } = await import("../../src/probe/postgres-probe");
  const resolver = { resolve: async () => ({ chain: ["bbbb.zone"], addresses: ["127.0.0.1"], ttl: 30 }) };
  let asked = false;
  const probe = new PostgresProbe(resolver);
  const login = {
    port,
    database: "postgres",
    user: "probe",
    password: async () => ((asked = true), "pw"),
    ca: [caPem],
    connectTimeoutMs: 500,
  };
  received.length = 0;
  await assert.rejects(
    probe.inspect("prod.zone", login, "verify-ca", {
      expectName: "pg-other.postgres.database.azure.com",
      expectAddresses: ["127.0.0.9"],
    }),
    (e: unknown) => e instanceof WrongServerError && /resolved to 127\.0\.0\.1, not to 127\.0\.0\.9/.test(e.message),
  );
  assert.equal(received.length, 0, "no connection was opened");
  assert.equal(asked, false);
});
