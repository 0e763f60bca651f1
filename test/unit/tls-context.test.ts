// One TLS secure context per CA bundle (src/probe/tls-context.ts), and verify-ca/verify-full as strict as before:
// a certificate from another CA and, with verify-full, one that does not name the dialled host are refused in the
// handshake. A PostgreSQL-shaped TLS listener on loopback (answers the SSLRequest, then TLS, then nothing).
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { after, before, test } from "node:test";
import { createCa, issueServerCert } from "../../local/lab/certs";
import { connect } from "../../src/probe/pg-connect";
import { secureContextFor, secureContextsBuilt } from "../../src/probe/tls-context";

let caPem: string;
let otherCaPem: string;
let server: net.Server;
let port: number;
let handshakes = 0;

before(async () => {
  const ca = await createCa("test CA");
  const other = await createCa("another CA");
  const leaf = await issueServerCert(ca, ["pg-a.postgres.database.azure.com"]);
  caPem = ca.certPem;
  otherCaPem = other.certPem;
  server = net.createServer((socket) => {
    socket.once("data", () => {
      socket.write("S");
      const secure = new tls.TLSSocket(socket, { isServer: true, key: leaf.keyPem, cert: leaf.certPem });
      secure.on("secure", () => handshakes++);
      secure.on("error", () => undefined);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

const options = (host: string, ca: string[], sslmode: "verify-ca" | "verify-full") => ({
  host,
  address: "127.0.0.1",
  port,
  database: "postgres",
  user: "probe",
  password: async () => "pw",
  ca,
  sslmode,
  connectTimeoutMs: 400,
});

test("the same bundle gives the same context: built once, whatever the number of connections", async () => {
  const built = secureContextsBuilt();
  for (let i = 0; i < 3; i++) {
    // The listener never answers the startup message: each attempt ends in the timeout after a good handshake.
    await assert.rejects(connect(options("pg-a.postgres.database.azure.com", [caPem], "verify-full")));
  }
  assert.equal(secureContextsBuilt(), built + 1, "the connections built one context for the bundle");
  const first = secureContextFor([caPem]);
  assert.equal(secureContextsBuilt(), built + 1, "and it is the one handed out again");
  assert.notEqual(secureContextFor([otherCaPem]), first);
});

test("a certificate from another CA is refused (verify-ca and verify-full)", async () => {
  for (const mode of ["verify-ca", "verify-full"] as const)
    await assert.rejects(
      connect(options("pg-a.postgres.database.azure.com", [otherCaPem], mode)),
      (e: { code?: string }) => /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(e.code ?? ""),
    );
});

test("verify-full refuses a certificate that does not name the host dialled; verify-ca checks the chain only", async () => {
  await assert.rejects(
    connect(options("prod.corp.private.postgres.database.azure.com", [caPem], "verify-full")),
    (e: { code?: string }) => e.code === "ERR_TLS_CERT_ALTNAME_INVALID",
  );
  const before = handshakes;
  await assert.rejects(connect(options("prod.corp.private.postgres.database.azure.com", [caPem], "verify-ca")));
  assert.equal(handshakes, before + 1, "verify-ca completed the handshake (then the silent listener timed out)");
});
