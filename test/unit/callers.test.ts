// Who may call: the app takes its caller only from a token it validated itself. Easy Auth's X-MS-CLIENT-PRINCIPAL
// is never enough, whether Easy Auth is said to be on or not; a browser session counts only through the token
// store's headers, and only behind Easy Auth. authorize() answers 401 (with the reason) or 403 (naming the role).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Callers } from "../../src/auth/callers";
import { offeredTokens } from "../../src/auth/caller-tokens";
import { authorize } from "../../src/http/authorize";
import { fakeTenant } from "./entra-fakes";

const headers = (h: Record<string, string>) => ({
  get: (n: string) => Object.entries(h).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? null,
});
const request = (h: Record<string, string>) => ({ headers: headers(h) }) as unknown as Parameters<typeof authorize>[0];

/** What Easy Auth would inject for alice, claiming every role: base64 JSON of claims, no signature anywhere. */
const forgedPrincipal = Buffer.from(
  JSON.stringify({
    auth_typ: "aad",
    claims: [
      { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "oid-mallory" },
      { typ: "name", val: "Mallory" },
      { typ: "roles", val: "Failover.Request" },
      { typ: "roles", val: "Failover.Approve" },
    ],
  }),
).toString("base64");
const forgedHeaders = {
  "X-MS-CLIENT-PRINCIPAL": forgedPrincipal,
  "X-MS-CLIENT-PRINCIPAL-ID": "oid-mallory",
  "X-MS-CLIENT-PRINCIPAL-NAME": "Mallory",
  "X-MS-CLIENT-PRINCIPAL-IDP": "aad",
};

test("a forged X-MS-CLIENT-PRINCIPAL alone is 401, with Easy Auth said to be on and off", async () => {
  const t = await fakeTenant();
  for (const easyAuth of [true, false]) {
    const r = await authorize(request(forgedHeaders), "Failover.Request", t.callers(easyAuth));
    assert.equal(!r.ok && r.response.status, 401, `easyAuth ${easyAuth}`);
    assert.equal(!r.ok && (r.response.headers as Record<string, string>)["www-authenticate"], "Bearer");
    const error = (!r.ok && (r.response.jsonBody as { error: Record<string, string> }).error) || {};
    assert.deepEqual(
      [error.code, error.role],
      ["Unauthenticated", "Failover.Request"],
      "the code, and the role wanted",
    );
  }
});

test("a bearer access token gives the caller; without the role 403 names it; a forged principal beside it changes nothing", async () => {
  const t = await fakeTenant();
  for (const easyAuth of [true, false]) {
    const callers = t.callers(easyAuth);
    const bearer = { authorization: `Bearer ${await t.token({ roles: ["Failover.Read"], name: "Carol" })}` };
    const ok = await authorize(request(bearer), "Failover.Read", callers);
    assert.deepEqual(ok.ok && [ok.principal.name, ok.principal.roles], ["Carol", ["Failover.Read"]]);
    const no = await authorize(request({ ...bearer, ...forgedHeaders }), "Failover.Request", callers);
    assert.equal(!no.ok && no.response.status, 403);
    assert.deepEqual(!no.ok && no.response.jsonBody, {
      error: {
        code: "MissingRole",
        message: "Carol does not have the app role Failover.Request",
        role: "Failover.Request",
      },
    });
  }
});

test("a bad bearer token is 401 with the reason, even beside a valid session token; the token is not echoed", async () => {
  const t = await fakeTenant();
  const expired = await t.token({ exp: Math.floor(Date.now() / 1000) - 3600 });
  const r = await authorize(
    request({ authorization: `Bearer ${expired}`, "x-ms-token-aad-id-token": await t.token() }),
    "Failover.Read",
    t.callers(true),
  );
  assert.equal(!r.ok && r.response.status, 401);
  const body = JSON.stringify(!r.ok && r.response.jsonBody);
  assert.match(body, /Authorization: the token has expired/);
  assert.ok(!body.includes(expired.split(".")[1]!), "no token content in the answer");
  const basic = await authorize(request({ authorization: "Basic YWxpY2U6cHc=" }), "Failover.Read", t.callers(true));
  assert.match(JSON.stringify(!basic.ok && basic.response.jsonBody), /not `Bearer <access token>`/);
});

test("behind Easy Auth a session's token-store headers count once validated: the ID token, else the access token", async () => {
  const t = await fakeTenant();
  const callers = t.callers(true);
  const id = await callers.identify(headers({ "X-MS-TOKEN-AAD-ID-TOKEN": await t.token({ name: "Bob" }) }));
  assert.deepEqual(id.ok && id.principal.name, "Bob");
  // The stored access token may be Microsoft Graph's: the ID token still identifies the session.
  const graph = await t.token({ aud: "00000003-0000-0000-c000-000000000000", name: "Graph" });
  const both = await callers.identify(
    headers({ "x-ms-token-aad-access-token": graph, "x-ms-token-aad-id-token": await t.token({ name: "Bob" }) }),
  );
  assert.equal(both.ok && both.principal.name, "Bob");
  const access = await callers.identify(headers({ "x-ms-token-aad-access-token": await t.token({ name: "Dan" }) }));
  assert.equal(access.ok && access.principal.name, "Dan");
  // A session header with a token of another tenant's key, or only Graph's access token: refused, each named.
  const stranger = await fakeTenant();
  const bad = await callers.identify(
    headers({
      "x-ms-token-aad-id-token": await stranger.token(),
      "x-ms-token-aad-access-token": graph,
      ...forgedHeaders,
    }),
  );
  assert.deepEqual(bad, {
    ok: false,
    reason:
      "X-MS-TOKEN-AAD-ID-TOKEN: the token is not signed by a key of the tenant; " +
      `X-MS-TOKEN-AAD-ACCESS-TOKEN: the token is not for this app (its audience must be one of ${t.config.clientId}, api://${t.config.clientId})`,
  });
});

test("without Easy Auth the token-store headers are not read: anyone could send them; only Authorization counts", async () => {
  const t = await fakeTenant();
  const r = await t.callers(false).identify(headers({ "x-ms-token-aad-id-token": await t.token() }));
  assert.deepEqual(r, {
    ok: false,
    reason: "send an Entra access token for this app (Authorization: Bearer …); a function key alone is not enough",
  });
  assert.deepEqual(offeredTokens(headers({ "x-ms-token-aad-access-token": "t" }), false), { ok: true, tokens: [] });
});

test("an app not told its tenant and client id verifies no one: 401 naming the settings", async () => {
  const t = await fakeTenant();
  const r = await authorize(
    request({ authorization: `Bearer ${await t.token()}` }),
    "Failover.Read",
    Callers.fromConfig({ easyAuth: true }),
  );
  assert.equal(!r.ok && r.response.status, 401);
  assert.match(JSON.stringify(!r.ok && r.response.jsonBody), /PGFLEX_AUTH_TENANT_ID, PGFLEX_AUTH_CLIENT_ID/);
});

// Mutation testing (issue 23): a valid token that names no one is no caller; a bug is not a refusal.
test("a valid token without an object id is refused by name; the next offered token may still identify", async () => {
  const t = await fakeTenant();
  const noOid = await t.token({ oid: undefined });
  const bearer = await t.callers(false).identify(headers({ authorization: `Bearer ${noOid}` }) as never);
  assert.deepEqual(bearer, { ok: false, reason: "Authorization: the token has no object id (oid)" });
  const session = await t
    .callers(true)
    .identify(headers({ "x-ms-token-aad-id-token": noOid, "x-ms-token-aad-access-token": await t.token() }) as never);
  assert.equal(session.ok && session.principal.name, "Alice");
  const none = await t.callers(true).identify(headers({}) as never);
  assert.deepEqual(none, {
    ok: false,
    reason:
      "sign in with Entra ID: send an access token for this app (Authorization: Bearer …), or sign in to the status page",
  });
});

test("an error that is not a token's refusal (a bug, a crash) is thrown, not turned into a 401", async () => {
  const broken = new Callers(false, {
    validate: async () => {
      throw new TypeError("boom");
    },
  } as never);
  await assert.rejects(broken.identify(headers({ authorization: "Bearer abc" }) as never), /boom/);
});
