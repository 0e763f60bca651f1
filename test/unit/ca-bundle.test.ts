import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { AZURE_POSTGRES_ROOTS, CARRIED_ROOTS, azurePostgresRoots, caBundleProblem } from "../../src/probe/ca-bundle";
import { expiredPem, selfSignedPem, validPem } from "./test-certs";

const subjectOf = (pem: string) => new X509Certificate(pem).subject;
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

test("all four Azure PostgreSQL roots are carried by the app, with the expected subjects, and still valid", () => {
  assert.deepEqual(azurePostgresRoots().map(subjectOf), [
    "C=US\nO=DigiCert Inc\nOU=www.digicert.com\nCN=DigiCert Global Root G2",
    "C=US\nO=DigiCert Inc\nOU=www.digicert.com\nCN=DigiCert Global Root CA",
    "C=US\nO=Microsoft Corporation\nCN=Microsoft RSA Root Certificate Authority 2017",
    "C=US\nO=Microsoft Corporation\nCN=Microsoft ECC Root Certificate Authority 2017",
  ]);
  for (const pem of azurePostgresRoots())
    assert.ok(new Date(new X509Certificate(pem).validTo) > new Date(), subjectOf(pem));
  assert.equal(caBundleProblem(CARRIED_ROOTS.join("")), undefined);
});

for (const missing of AZURE_POSTGRES_ROOTS) {
  test(`a root store without ${missing.name} is refused, naming it and probe.caFile`, () => {
    const store = CARRIED_ROOTS.filter((pem) => fingerprintOf(pem) !== missing.sha256);
    assert.equal(store.length, CARRIED_ROOTS.length - 1);
    assert.throws(
      () => azurePostgresRoots(store),
      (e: Error) => e.message.includes(missing.name) && e.message.includes("probe.caFile"),
    );
  });
}

test("a root is recognised by its fingerprint, not its name: an impostor with the same subject is refused", async () => {
  const ecc = AZURE_POSTGRES_ROOTS[3];
  const impostor = await selfSignedPem(`C=US, O=Microsoft Corporation, CN=${ecc.name}`, { from: -1, to: 365 });
  const store = [...CARRIED_ROOTS.filter((pem) => fingerprintOf(pem) !== ecc.sha256), impostor];
  assert.equal(subjectOf(impostor), "C=US\nO=Microsoft Corporation\nCN=Microsoft ECC Root Certificate Authority 2017");
  assert.throws(() => azurePostgresRoots(store), new RegExp(ecc.name));
});

test("a CA bundle must hold a valid, unexpired certificate", async () => {
  const [expired, valid] = [await expiredPem(), await validPem()];
  const cases: [string, string, RegExp | undefined][] = [
    ["empty file", "", /holds no PEM certificate/],
    ["a private key, no certificate", "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n", /no PEM/],
    ["a damaged certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", /1 of 1 is not/],
    ["only an expired certificate", expired, /every certificate in it has expired \(the latest on \d{4}-/],
    ["an expired and a valid certificate", expired + valid, undefined],
    ["a valid certificate", valid, undefined],
    ["Node's Azure roots", azurePostgresRoots().join("\n"), undefined],
  ];
  for (const [what, pem, expected] of cases) {
    const problem = caBundleProblem(pem);
    if (expected) assert.match(problem ?? "(accepted)", expected, what);
    else assert.equal(problem, undefined, what);
  }
});
