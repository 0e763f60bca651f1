// The tenant's discovery documents (src/auth/entra-keys.ts): one per token version, fetched once; a document is
// refused unless its issuer names the tenant and its jwks_uri is https; a failed fetch is not retried for 10 s
// (a flood of bad tokens cannot hammer the authority), then it is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EntraKeys, metadataUrl, RETRY_MS } from "../../src/auth/entra-keys";

const TENANT = "11111111-2222-3333-4444-555555555555";
const AUTHORITY = "https://login.example";

function keysWith(answer: (url: string) => Response) {
  const asked: string[] = [];
  let now = 1_000_000;
  const keys = new EntraKeys({
    authority: AUTHORITY,
    tenantId: TENANT,
    fetch: async (url) => (asked.push(url), answer(url)),
    now: () => now,
  });
  return { keys, asked, advance: (ms: number) => (now += ms) };
}

const doc = (o: Record<string, unknown>) => new Response(JSON.stringify(o), { status: 200 });
const good = (url: string) =>
  doc({
    issuer: url.includes("/v2.0/") ? `${AUTHORITY}/${TENANT}/v2.0` : `https://sts.example/${TENANT.toUpperCase()}/`,
    jwks_uri: `${AUTHORITY}/${TENANT}/discovery/keys`,
  });

test("one metadata document per token version, each fetched once", async () => {
  assert.equal(metadataUrl(AUTHORITY, TENANT, "1.0"), `${AUTHORITY}/${TENANT}/.well-known/openid-configuration`);
  assert.equal(metadataUrl(AUTHORITY, TENANT, "2.0"), `${AUTHORITY}/${TENANT}/v2.0/.well-known/openid-configuration`);
  const { keys, asked } = keysWith(good);
  assert.equal((await keys.issuer("2.0")).issuer, `${AUTHORITY}/${TENANT}/v2.0`);
  assert.equal(
    (await keys.issuer("1.0")).issuer,
    `https://sts.example/${TENANT.toUpperCase()}/`,
    "any case of the tenant",
  );
  await keys.issuer("2.0");
  assert.deepEqual(asked, [metadataUrl(AUTHORITY, TENANT, "2.0"), metadataUrl(AUTHORITY, TENANT, "1.0")]);
});

test("a document is refused unless it answers 200, names the tenant in its issuer and has an https jwks_uri", async () => {
  const url = metadataUrl(AUTHORITY, TENANT, "2.0");
  const cases: [Response, string][] = [
    [new Response("{}", { status: 404 }), `GET ${url} answered 404`],
    [new Response("not json", { status: 200 }), `${url}: its issuer does not name tenant ${TENANT}`],
    [doc({ jwks_uri: "https://k" }), `${url}: its issuer does not name tenant ${TENANT}`],
    [
      doc({ issuer: `${AUTHORITY}/{tenantid}/v2.0`, jwks_uri: "https://k" }),
      `${url}: its issuer does not name tenant ${TENANT}`,
    ],
    [doc({ issuer: `${AUTHORITY}/${TENANT}/v2.0` }), `${url}: jwks_uri is not an https URL`],
    [doc({ issuer: `${AUTHORITY}/${TENANT}/v2.0`, jwks_uri: "http://k/keys" }), `${url}: jwks_uri is not an https URL`],
  ];
  for (const [res, message] of cases) {
    const { keys } = keysWith(() => res);
    await assert.rejects(keys.issuer("2.0"), (e: Error) => (assert.equal(e.message, message), true));
  }
});

test("after a failed fetch: refused without asking again for 10 s, then fetched again", async () => {
  let fail = true;
  const { keys, asked, advance } = keysWith((url) => (fail ? new Response("", { status: 503 }) : good(url)));
  await assert.rejects(keys.issuer("2.0"), /answered 503/);
  await assert.rejects(keys.issuer("2.0"), /the tenant's v2\.0 metadata could not be fetched moments ago/);
  advance(RETRY_MS - 1);
  await assert.rejects(keys.issuer("2.0"), /moments ago/);
  assert.equal(asked.length, 1);
  fail = false;
  advance(1);
  assert.equal((await keys.issuer("2.0")).issuer, `${AUTHORITY}/${TENANT}/v2.0`);
  assert.equal(asked.length, 2);
  assert.equal(RETRY_MS, 10_000);
});
