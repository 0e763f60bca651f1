import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createCredential } from "../../src/azure/credential";
import { ConfigError } from "../../src/config/errors";
import { HOST_FUNCTION_TIMEOUT_SECONDS } from "../../src/config/host-limits";
import { loadConfig } from "../../src/config/settings";
import { ZONE, idOf, rawPair } from "./fixtures";
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

test("a probe.caFile that cannot anchor a TLS connection is refused at start-up, naming the setting", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pgflex-ca-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
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

test("PGFLEX_ARM_CA_FILE gets the same check", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "pgflex-ca-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "expired.pem"), await expiredPem());
  const p = problems({ ...base(), PGFLEX_ARM_CA_FILE: join(dir, "expired.pem") });
  assert.ok(
    p.some((x) => /^PGFLEX_ARM_CA_FILE: ".*expired\.pem" every certificate in it has expired/.test(x)),
    p.join("\n"),
  );
});

const second = (overrides: Record<string, unknown> = {}) =>
  rawPair({
    name: "billing",
    dns: { ...rawPair().dns, cname: "billing" },
    servers: [
      { resourceId: idOf("pg-billing-eus"), aRecord: "b1b2c3d4e5f6" },
      { resourceId: idOf("pg-billing-wus"), aRecord: "0b1b2c3d4e5f" },
    ],
    ...overrides,
  });

test("two pairs sharing a CNAME (case-insensitively) are refused", () => {
  const p = problems(base([rawPair(), second({ dns: { ...rawPair().dns, zone: ZONE.toUpperCase(), cname: "PROD" } })]));
  assert.ok(
    p.includes(
      `PGFLEX_PAIRS[1].dns: the CNAME prod.${ZONE} is also pair "prod" (PGFLEX_PAIRS[0].dns)'s; each pair needs its own`,
    ),
    p.join("\n"),
  );
});

test("the same CNAME label in another zone is another record", () => {
  const c = loadConfig(
    base([rawPair(), second({ dns: { ...rawPair().dns, zone: "other.example.com", cname: "prod" } })]),
  );
  assert.equal(c.pairs.length, 2);
});

test("a server in two pairs is refused, naming both places", () => {
  const shared = { resourceId: idOf("PG-WUS"), aRecord: "0a1b2c3d4e5f" };
  const p = problems(base([rawPair(), second({ servers: [shared, second().servers[1]] })]));
  assert.ok(
    p.includes(
      'PGFLEX_PAIRS[1].servers[0].resourceId: this server is also in pair "prod" (PGFLEX_PAIRS[0].servers[1].resourceId); a server belongs to one pair',
    ),
    p.join("\n"),
  );
});

for (const endpoint of [
  undefined, // the default: management.azure.com
  "https://management.azure.com",
  "https://MANAGEMENT.AZURE.COM/",
  "https://management.usgovcloudapi.net",
  "https://management.chinacloudapi.cn",
]) {
  test(`staticToken is refused against Azure's ARM (${endpoint ?? "default endpoint"})`, () => {
    const p = problems({
      ...base(),
      PGFLEX_CREDENTIAL: "staticToken",
      PGFLEX_STATIC_TOKEN: "t",
      PGFLEX_ARM_ENDPOINT: endpoint,
    });
    assert.ok(
      p.some((x) =>
        /^PGFLEX_CREDENTIAL: staticToken is for the local lab and is refused with PGFLEX_ARM_ENDPOINT=/.test(x),
      ),
      p.join("\n"),
    );
    assert.ok(!p.join("\n").includes("PGFLEX_STATIC_TOKEN: "), "the token itself is not the problem");
  });
}

test("staticToken against another endpoint (the lab's emulator) loads, with its token and nothing else", () => {
  const c = loadConfig({
    ...base(),
    PGFLEX_CREDENTIAL: "staticToken",
    PGFLEX_STATIC_TOKEN: "lab-token",
    PGFLEX_MANAGED_IDENTITY_CLIENT_ID: "00000000-0000-0000-0000-00000000000a",
    PGFLEX_ARM_ENDPOINT: "https://127.0.0.1:8443",
  });
  assert.deepEqual(c.credential, { kind: "staticToken", token: "lab-token" });
  assert.equal(createCredential(c.credential) !== undefined, true);
});

test("a managed identity never carries the static token; its client id must be a UUID", () => {
  const id = "11111111-2222-3333-4444-555555555555";
  const c = loadConfig({ ...base(), PGFLEX_STATIC_TOKEN: "stray", PGFLEX_MANAGED_IDENTITY_CLIENT_ID: id });
  assert.deepEqual(c.credential, { kind: "managedIdentity", clientId: id });
  assert.deepEqual(loadConfig({ ...base(), PGFLEX_CREDENTIAL: "default" }).credential, {
    kind: "default",
    clientId: undefined,
  });
  const p = problems({ ...base(), PGFLEX_MANAGED_IDENTITY_CLIENT_ID: "my-identity" });
  assert.ok(
    p.includes("PGFLEX_MANAGED_IDENTITY_CLIENT_ID: must be the client id (a UUID) of a user-assigned managed identity"),
  );
});

test("a static token credential hands out the configured token", async () => {
  const cred = createCredential({ kind: "staticToken", token: "lab-token" });
  assert.equal((await cred.getToken("https://management.azure.com/.default"))?.token, "lab-token");
});

test("the audit storage is a connection string or a table endpoint, each named when wrong", () => {
  assert.deepEqual(loadConfig(base()).audit, {
    kind: "connectionString",
    table: "PgFlexFailoverAudit",
    stateTable: "PgFlexFailoverState",
    connectionString: "UseDevelopmentStorage=true",
  });
  const uri = "https://acct.table.core.windows.net";
  const env = { ...base(), AzureWebJobsStorage: undefined, AzureWebJobsStorage__tableServiceUri: uri };
  assert.deepEqual(loadConfig({ ...env, PGFLEX_AUDIT_TABLE: "Audit2", PGFLEX_STATE_TABLE: "State2" }).audit, {
    kind: "tableServiceUri",
    table: "Audit2",
    stateTable: "State2",
    tableServiceUri: uri,
  });
  const p = problems({
    ...env,
    AzureWebJobsStorage__tableServiceUri: "http://acct.table",
    PGFLEX_AUDIT_TABLE: "a-b",
    PGFLEX_STATE_TABLE: "x",
  });
  assert.ok(p.includes('PGFLEX_STATE_TABLE: "x" must be 3-63 letters or digits, starting with a letter'), p.join("\n"));
  assert.ok(p.includes("AzureWebJobsStorage__tableServiceUri: must be an https:// URL"), p.join("\n"));
  assert.ok(
    p.includes('PGFLEX_AUDIT_TABLE: "a-b" must be 3-63 letters or digits, starting with a letter'),
    p.join("\n"),
  );
});

// [timings, problem expected]
const pollCases: [Record<string, number>, RegExp | undefined][] = [
  [{}, undefined], // defaults: 3600/15 = 240 and 600/5 = 120
  [{ promoteDeadlineSeconds: 500, promotePollSeconds: 1 }, undefined], // exactly the limit
  [
    { promoteDeadlineSeconds: 501, promotePollSeconds: 1 },
    /^PGFLEX_PAIRS\[0\]\.timings: promoteDeadlineSeconds \/ promotePollSeconds = 501 \/ 1 allows 501 polls in one run; at most 500 .*raise promotePollSeconds or lower promoteDeadlineSeconds$/,
  ],
  [{ promotePollSeconds: 1 }, /promoteDeadlineSeconds \/ promotePollSeconds = 3600 \/ 1 allows 3600 polls/], // the default deadline counts
  [
    { verifyDeadlineSeconds: 86400, verifyPollSeconds: 60 },
    /verifyDeadlineSeconds \/ verifyPollSeconds = 86400 \/ 60 allows 1440 polls in one run; at most 500/,
  ],
  [{ verifyDeadlineSeconds: 3000, verifyPollSeconds: 6 }, undefined],
];
for (const [timings, expected] of pollCases) {
  test(`poll bound: ${JSON.stringify(timings)} → ${expected ? "refused" : "accepted"}`, () => {
    const env = base([rawPair({ timings })]);
    if (!expected) return void loadConfig(env);
    const p = problems(env);
    assert.ok(
      p.some((x) => expected.test(x)),
      p.join("\n"),
    );
  });
}

// [probe, expected problem; undefined: loads]
const probeCases: [Record<string, unknown>, string | undefined][] = [
  [{ user: "u" }, undefined], // auth defaults to entra
  [{ user: "u", auth: "entra" }, undefined],
  [{ user: "u", auth: "password", passwordSetting: "PROBE_PW" }, undefined],
  [
    { user: "u", auth: "password" },
    'PGFLEX_PAIRS[0].probe.passwordSetting: is required when auth is "password": the name of the app setting holding the password',
  ],
  [
    { user: "u", auth: "password", passwordSetting: "not a setting" },
    "PGFLEX_PAIRS[0].probe.passwordSetting: must be the name of an app setting",
  ],
  [{ user: "u", auth: "pw" }, 'PGFLEX_PAIRS[0].probe.auth: must be "entra" or "password"'],
  [
    { user: "u", auth: "entra", passwordSetting: "PROBE_PW" },
    'PGFLEX_PAIRS[0].probe: passwordSetting is used only with auth "password" (auth is "entra", the default)',
  ],
  [{ user: "u", colour: "red" }, 'PGFLEX_PAIRS[0].probe: Unrecognized key: "colour"'],
];
for (const [probe, expected] of probeCases) {
  test(`probe ${JSON.stringify(probe)} → ${expected ?? "loads"}`, () => {
    const env = base([rawPair({ probe })]);
    if (expected) return assert.ok(problems(env).includes(expected), problems(env).join("\n"));
    const loaded = loadConfig(env).pairs[0]!.probe;
    assert.equal(loaded.auth, probe.auth ?? "entra");
    if (loaded.auth === "password") assert.equal(loaded.passwordSetting, "PROBE_PW");
  });
}

test("HOST_FUNCTION_TIMEOUT_SECONDS is host.json's functionTimeout", () => {
  const root = join(__dirname, "..", "..", "..");
  const hostJson = JSON.parse(readFileSync(join(root, "host.json"), "utf8")) as { functionTimeout: string };
  const [h, m, sec] = hostJson.functionTimeout.split(":").map(Number);
  assert.equal((h! * 60 + m!) * 60 + sec!, HOST_FUNCTION_TIMEOUT_SECONDS);
});

// Combinations that can only end badly: [pair overrides, expected problem; undefined: loads]
const pairRuleCases: [string, Record<string, unknown>, RegExp | undefined][] = [
  ["defaults", {}, undefined],
  ["auto alerts with forced approval (the documented exception)", { alerts: { policy: "auto" } }, undefined],
  [
    "auto alerts with approval always",
    { alerts: { policy: "auto" }, approval: { mode: "always" } },
    /^PGFLEX_PAIRS\[0\]\.alerts\.policy: "auto" fails over on an alert without approval, but approval\.mode "always"/,
  ],
  ["propose with approval always", { alerts: { policy: "propose" }, approval: { mode: "always" } }, undefined],
  [
    "auto on one look",
    { alerts: { policy: "auto", confirmTries: 1 } },
    /^PGFLEX_PAIRS\[0\]\.alerts\.confirmTries: with policy "auto" .* got confirmTries 1, confirmSeconds 30$/,
  ],
  [
    "auto with no window",
    { alerts: { policy: "auto", confirmTries: 3, confirmSeconds: 0 } },
    /^PGFLEX_PAIRS\[0\]\.alerts\.confirmSeconds: with policy "auto" .* got confirmTries 3, confirmSeconds 0$/,
  ],
  ["propose on one look (a person decides)", { alerts: { policy: "propose", confirmTries: 1 } }, undefined],
  ["a writable check that fits", { timings: { promoteDeadlineSeconds: 86400, promotePollSeconds: 560 } }, undefined],
  [
    "a writable check longer than functionTimeout",
    { timings: { promoteDeadlineSeconds: 86400, promotePollSeconds: 561 } },
    /^PGFLEX_PAIRS\[0\]\.timings\.promotePollSeconds: one writable check may take .* = 601 s, more than host\.json's functionTimeout \(600 s\)/,
  ],
  [
    "confirming an alert longer than functionTimeout",
    { alerts: { confirmTries: 10, confirmSeconds: 60 }, probe: { ...rawPair().probe, connectTimeoutSeconds: 30 } },
    /^PGFLEX_PAIRS\[0\]\.alerts\.confirmSeconds: confirming an alert may take .* = 660 s, more than host\.json's functionTimeout/,
  ],
  [
    "no alert runs, no confirmation to fit",
    {
      alerts: { policy: "off", confirmTries: 10, confirmSeconds: 60 },
      probe: { ...rawPair().probe, connectTimeoutSeconds: 30 },
    },
    undefined,
  ],
];
for (const [what, overrides, expected] of pairRuleCases) {
  test(`pair rule: ${what} → ${expected ? "refused" : "loads"}`, () => {
    const env = base([rawPair(overrides)]);
    if (!expected) return void loadConfig(env);
    const p = problems(env);
    assert.ok(
      p.some((x) => expected.test(x)),
      p.join("\n"),
    );
  });
}

test("PGFLEX_PAIRS_VIEW_SECONDS: 5 s by default (role assignments twice that); a decimal is taken; out of range or not a number is refused", () => {
  assert.deepEqual(loadConfig(base()).views, { pairsViewMs: 5000, permissionsMs: 10000 });
  assert.deepEqual(loadConfig({ ...base(), PGFLEX_PAIRS_VIEW_SECONDS: "0.5" }).views, {
    pairsViewMs: 500,
    permissionsMs: 1000,
  });
  for (const bad of ["0", "301", "soon", "-1"])
    assert.ok(
      problems({ ...base(), PGFLEX_PAIRS_VIEW_SECONDS: bad }).includes(
        `PGFLEX_PAIRS_VIEW_SECONDS: "${bad}" is not a number of seconds from 0.1 to 300`,
      ),
      bad,
    );
});

test("a static token does not load @azure/identity (0.2 s of CPU every lab host and test would pay for nothing)", () => {
  const loaded = () => Object.keys(require.cache).some((f) => f.includes(`${"@azure"}/identity/`));
  const c = loadConfig({
    ...base(),
    PGFLEX_CREDENTIAL: "staticToken",
    PGFLEX_STATIC_TOKEN: "lab-token",
    PGFLEX_ARM_ENDPOINT: "https://127.0.0.1:8443",
  });
  createCredential(c.credential);
  assert.equal(loaded(), false);
});
