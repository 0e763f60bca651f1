// The PGFLEX_AUTH_* settings: which tenant and app registration callers' tokens must come from. A wrong value
// stops the start with the setting's name; none set leaves the API closed (every caller 401), never open.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../src/config/errors";
import { loadConfig } from "../../src/config/settings";
import { rawPair } from "./fixtures";
import { validPem } from "./test-certs";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "6e1d7c3a-0b5f-4d36-9a8e-1f2b3c4d5e6f";
const base = {
  PGFLEX_PAIRS: JSON.stringify([rawPair()]),
  PROBE_PW: "pw",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail("expected a ConfigError");
}

test("tenant and client id: the client id and api://<client id> are the audiences, Entra's public authority", () => {
  const c = loadConfig({ ...base, PGFLEX_AUTH_TENANT_ID: TENANT, PGFLEX_AUTH_CLIENT_ID: CLIENT });
  assert.deepEqual(c.auth, {
    easyAuth: false,
    entra: {
      tenantId: TENANT,
      clientId: CLIENT,
      audiences: [CLIENT, `api://${CLIENT}`],
      authority: "https://login.microsoftonline.com",
      caPem: undefined,
    },
  });
  const custom = loadConfig({
    ...base,
    PGFLEX_AUTH_TENANT_ID: TENANT,
    PGFLEX_AUTH_CLIENT_ID: CLIENT,
    PGFLEX_AUTH_AUDIENCE: `https://failover.contoso.example, ${CLIENT}`,
    PGFLEX_AUTH_AUTHORITY: "https://login.microsoftonline.us/",
    WEBSITE_AUTH_ENABLED: "True",
  }).auth;
  assert.deepEqual(custom.entra?.audiences, [CLIENT, "https://failover.contoso.example"]);
  assert.equal(custom.entra?.authority, "https://login.microsoftonline.us");
  assert.equal(custom.easyAuth, true);
});

test("no PGFLEX_AUTH_* at all loads, with no one to trust (the API answers 401 to everyone)", () => {
  assert.deepEqual(loadConfig(base).auth, { easyAuth: false, entra: undefined });
});

test("each wrong auth setting is named", async (t) => {
  const ok = { PGFLEX_AUTH_TENANT_ID: TENANT, PGFLEX_AUTH_CLIENT_ID: CLIENT };
  const dir = mkdtempSync(join(tmpdir(), "pgflex-auth-ca-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "ca.pem"), await validPem());
  writeFileSync(join(dir, "junk.pem"), "junk\n");
  const cases: [Record<string, string>, RegExp][] = [
    [{ PGFLEX_AUTH_CLIENT_ID: CLIENT }, /^PGFLEX_AUTH_TENANT_ID: required with the other PGFLEX_AUTH_\* settings$/],
    [{ PGFLEX_AUTH_TENANT_ID: TENANT }, /^PGFLEX_AUTH_CLIENT_ID: required/],
    [
      { ...ok, PGFLEX_AUTH_TENANT_ID: "contoso.onmicrosoft.com" },
      /^PGFLEX_AUTH_TENANT_ID: ".*" must be the Entra tenant id \(a UUID\)/,
    ],
    [
      { ...ok, PGFLEX_AUTH_CLIENT_ID: "api://x" },
      /^PGFLEX_AUTH_CLIENT_ID: "api:\/\/x" must be the app registration's client id/,
    ],
    [{ ...ok, PGFLEX_AUTH_AUDIENCE: "failover" }, /^PGFLEX_AUTH_AUDIENCE: "failover" is neither a client id/],
    [
      { ...ok, PGFLEX_AUTH_AUTHORITY: "http://127.0.0.1:8443" },
      /^PGFLEX_AUTH_AUTHORITY: ".*" must be an https:\/\/ URL/,
    ],
    [
      { ...ok, PGFLEX_AUTH_AUTHORITY: `https://login.microsoftonline.com/${TENANT}/v2.0` },
      /^PGFLEX_AUTH_AUTHORITY: ".*" must be the authority's origin only/,
    ],
    [{ ...ok, PGFLEX_AUTH_CA_FILE: join(dir, "junk.pem") }, /^PGFLEX_AUTH_CA_FILE: ".*junk\.pem" holds no PEM/],
    [{ ...ok, PGFLEX_AUTH_CA_FILE: join(dir, "absent.pem") }, /^PGFLEX_AUTH_CA_FILE: cannot read/],
  ];
  for (const [env, expected] of cases) {
    const p = problems(env);
    assert.ok(
      p.some((x) => expected.test(x)),
      `${JSON.stringify(env)}: ${p.join(" | ")}`,
    );
  }
  const withCa = loadConfig({ ...base, ...ok, PGFLEX_AUTH_CA_FILE: join(dir, "ca.pem") });
  assert.match(withCa.auth.entra?.caPem ?? "", /BEGIN CERTIFICATE/);
});
