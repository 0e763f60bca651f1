import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/config/errors";
import { loadConfig } from "../../src/config/settings";
import { rawPair } from "./fixtures";
import { expiredPem, validPem } from "./test-certs";

const base = (pairs: unknown[] = [rawPair()]) => ({
  PGFLEX_PAIRS: JSON.stringify(pairs),
  PROBE_PW: "pw",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
});

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail("expected a ConfigError");
}

test("a valid pair loads with production defaults", () => {
  const c = loadConfig(base());
  assert.equal(c.pairs[0]!.name, "prod");
  assert.equal(c.pairs[0]!.ttl.failoverSeconds, 30);
  assert.equal(c.pairs[0]!.ttl.restoreSeconds, "original");
  assert.equal(c.pairs[0]!.promoteOption, "Planned");
  assert.equal(c.arm.endpoint, "https://management.azure.com");
  assert.equal(c.credential.kind, "managedIdentity");
  assert.deepEqual(c.dnsServers, []);
});

test("missing pairs names PGFLEX_PAIRS", () => {
  const p = problems({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
  assert.match(p.join("\n"), /^PGFLEX_PAIRS: required/m);
});

test("invalid JSON is reported with the setting's name", () => {
  assert.match(problems({ ...base(), PGFLEX_PAIRS: "[{" }).join("\n"), /^PGFLEX_PAIRS: not valid JSON/m);
});

test("a wrong field is named with its JSON path", () => {
  const bad = rawPair({ servers: [{ resourceId: "/subscriptions/x/pg", aRecord: "a1" }, rawPair().servers[1]] });
  const p = problems(base([bad]));
  assert.ok(
    p.some((x) => x.startsWith("PGFLEX_PAIRS[0].servers[0].resourceId: must be a Flexible Server ARM id")),
    p.join("\n"),
  );
});

test("unknown fields are refused, not ignored", () => {
  const p = problems(base([rawPair({ promoteOptoin: "Forced" })]));
  assert.ok(
    p.some((x) => x.startsWith("PGFLEX_PAIRS[0]") && /promoteOptoin/.test(x)),
    p.join("\n"),
  );
});

test("a password probe needs its password setting to be present", () => {
  const env = base();
  delete (env as Record<string, string | undefined>).PROBE_PW;
  assert.ok(problems(env).includes('PROBE_PW: required by pair "prod" (probe.passwordSetting) but not set'));
});

test("every problem is reported at once", () => {
  const p = problems({
    PGFLEX_PAIRS: JSON.stringify([rawPair(), rawPair()]),
    PGFLEX_CREDENTIAL: "magic",
    PGFLEX_DNS_SERVERS: "dns.example",
    PROBE_PW: "x",
  });
  const text = p.join("\n");
  assert.match(text, /PGFLEX_PAIRS\[1\]\.name: "prod" is used by more than one pair/);
  assert.match(text, /PGFLEX_CREDENTIAL: "magic" is not one of/);
  assert.match(text, /PGFLEX_DNS_SERVERS: "dns.example"/);
  assert.match(text, /AzureWebJobsStorage: required/);
});

test("staticToken needs a token; http ARM endpoints are refused", () => {
  const text = problems({
    ...base(),
    PGFLEX_CREDENTIAL: "staticToken",
    PGFLEX_ARM_ENDPOINT: "http://127.0.0.1:1",
  }).join("\n");
  assert.match(text, /PGFLEX_STATIC_TOKEN: required/);
  assert.match(text, /PGFLEX_ARM_ENDPOINT: "http:\/\/127.0.0.1:1" must be an https:\/\/ URL/);
});

test("the same server twice in a pair is refused", () => {
  const r = rawPair();
  const p = problems(base([{ ...r, servers: [r.servers[0], { ...r.servers[0], aRecord: "ffffffffffff" }] }]));
  assert.ok(p.some((x) => /both entries name the same server/.test(x)));
});

test("a probe.caFile that cannot anchor a TLS connection is refused at start-up, naming the setting", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pgflex-ca-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const [expired, valid] = [await expiredPem(), await validPem()];
  const cases: [string, string, RegExp | undefined][] = [
    ["missing file", join(dir, "absent.pem"), /PGFLEX_PAIRS\[0\]\.probe\.caFile: cannot read ".*absent\.pem"/],
    ["no certificate", file("empty.pem", "not a certificate\n"), /PGFLEX_PAIRS\[0\]\.probe\.caFile: ".*" holds no PEM/],
    [
      "expired only",
      file("expired.pem", expired),
      /PGFLEX_PAIRS\[0\]\.probe\.caFile: ".*" every certificate in it has expired/,
    ],
    ["expired and valid", file("mixed.pem", expired + valid), undefined],
  ];
  for (const [what, caFile, expected] of cases) {
    const pair = rawPair({ probe: { ...rawPair().probe, caFile } });
    if (expected)
      assert.ok(
        problems(base([pair])).some((p) => expected.test(p)),
        what,
      );
    else assert.equal(loadConfig(base([pair])).pairs[0]!.probe.caFile, caFile, what);
  }
});

test("PGFLEX_ARM_CA_FILE gets the same check", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pgflex-ca-"));
  writeFileSync(join(dir, "expired.pem"), await expiredPem());
  const p = problems({ ...base(), PGFLEX_ARM_CA_FILE: join(dir, "expired.pem") });
  assert.ok(
    p.some((x) => /^PGFLEX_ARM_CA_FILE: ".*expired\.pem" every certificate in it has expired/.test(x)),
    p.join("\n"),
  );
});
