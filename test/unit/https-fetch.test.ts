// httpsFetch (src/auth/https-fetch.ts), the fetch the app uses for Entra's discovery documents and signing keys,
// against a real TLS server on 127.0.0.1 with a certificate minted here: https only, TLS always verified (an extra
// CA trusted only when given), redirects returned not followed, bodies capped at 1 MiB, a hung server timed out.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { httpsFetch } from "../../src/auth/https-fetch";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** A self-signed certificate for 127.0.0.1 and its key, as PEM. */
async function serverCert(): Promise<{ cert: string; key: string }> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01" + Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: "CN=127.0.0.1",
    notBefore: new Date(Date.now() - 864e5),
    notAfter: new Date(Date.now() + 864e5),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString("pem") + "\n", key };
}

let server: Server;
let base: string;
let ca: string;
const seen: Record<string, string | undefined>[] = [];

before(async () => {
  const { cert, key } = await serverCert();
  ca = cert;
  server = createServer({ cert, key }, (req, res) => {
    seen.push({ accept: req.headers.accept, authorization: req.headers.authorization, method: req.method });
    if (req.url === "/doc") {
      res.writeHead(200, { "content-type": "application/json", "x-one": "1" });
      res.end('{"issuer":"https://login.example/tenant/v2.0"}');
    } else if (req.url === "/moved") {
      res.writeHead(302, { location: "https://elsewhere.example/doc" });
      res.end("moved");
    } else if (req.url === "/empty") {
      res.writeHead(204);
      res.end();
    } else if (req.url === "/big") {
      res.writeHead(200);
      res.end(Buffer.alloc(1024 * 1024 + 1, "a"));
    } else if (req.url === "/exactly") {
      res.writeHead(200);
      res.end(Buffer.alloc(1024 * 1024, "a"));
    } else if (req.url === "/cut") {
      // Headers and half a body, then the connection is cut.
      res.writeHead(200, { "content-length": "100" });
      res.write("partial", () => res.socket?.destroy());
    } else if (req.url === "/hang") {
      // Never answers: the fetch's own timeout ends it.
    } else {
      res.writeHead(404);
      res.end("no");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("a document over TLS with the extra CA: status, headers and body; asks for JSON and passes the caller's headers", async () => {
  seen.length = 0;
  const res = await httpsFetch(ca)(`${base}/doc`, { headers: new Headers({ authorization: "Bearer t" }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-one"), "1");
  assert.deepEqual(await res.json(), { issuer: "https://login.example/tenant/v2.0" });
  assert.deepEqual(seen, [{ accept: "application/json", authorization: "Bearer t", method: "GET" }]);
  const plain = await httpsFetch(ca)(`${base}/doc`, { headers: { accept: "application/jwk-set+json" } });
  assert.equal(plain.status, 200);
  assert.equal(seen[1]?.accept, "application/jwk-set+json", "the caller's headers win");
});

test("TLS is verified: a server whose CA was not given is refused", async () => {
  await assert.rejects(httpsFetch()(`${base}/doc`), (e: Error) => {
    assert.match(e.message, new RegExp(`^GET ${base}/doc failed: .*self.signed`, "i"));
    return true;
  });
});

test("only https: an http URL is refused before any request", async () => {
  seen.length = 0;
  await assert.rejects(
    httpsFetch(ca)(`http://127.0.0.1/doc`),
    /refusing to fetch http:\/\/127\.0\.0\.1\/doc: not https/,
  );
  assert.deepEqual(seen, []);
});

test("a redirect is returned as it came, not followed", async () => {
  const res = await httpsFetch(ca)(`${base}/moved`);
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "https://elsewhere.example/doc");
});

test("an answer with no body (204) is an empty response; a 404 keeps its status", async () => {
  const empty = await httpsFetch(ca)(`${base}/empty`);
  assert.deepEqual([empty.status, empty.body], [204, null]);
  const missing = await httpsFetch(ca)(`${base}/nope`);
  assert.deepEqual([missing.status, await missing.text()], [404, "no"]);
});

test("bodies are capped at 1 MiB: one byte more fails naming the limit; exactly 1 MiB is read", async () => {
  await assert.rejects(httpsFetch(ca)(`${base}/big`), /body larger than 1048576 bytes/);
  const exactly = await httpsFetch(ca)(`${base}/exactly`);
  assert.equal((await exactly.arrayBuffer()).byteLength, 1024 * 1024);
});

test("a server that does not answer: the fetch times out, naming the URL", async () => {
  await assert.rejects(
    httpsFetch(ca, 200)(`${base}/hang`),
    new RegExp(`GET ${base}/hang failed: GET ${base}/hang timed out`),
  );
});

test("a connection cut halfway through the body fails the fetch, naming the URL (it neither hangs nor crashes)", async () => {
  await assert.rejects(httpsFetch(ca)(`${base}/cut`), /aborted|ECONNRESET|socket hang up/);
});
