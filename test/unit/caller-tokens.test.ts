// Which tokens a request offers, in order: the Authorization header alone when present (exactly
// `Bearer <token>`), else, only behind Easy Auth, the token store's ID token then access token.
import assert from "node:assert/strict";
import { test } from "node:test";
import { offeredTokens } from "../../src/auth/caller-tokens";

// Not the Fetch API's Headers, which trims values itself: the function must not rely on its caller's class.
const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] ?? null });

test("Authorization: exactly `Bearer <token>`, any case, any blanks around; it is the only token looked at", () => {
  for (const value of ["Bearer abc.def", "bearer abc.def", "  Bearer \t  abc.def \t", "BEARER  abc.def"])
    assert.deepEqual(
      offeredTokens(headers({ authorization: value, "x-ms-token-aad-id-token": "id" }), true),
      { ok: true, tokens: [{ kind: "access", from: "Authorization", token: "abc.def" }] },
      value,
    );
  for (const value of ["Basic abc", "xBearer abc", "Bearer", "Bearer abc def", "Bearerabc", "Token Bearer abc"])
    assert.deepEqual(
      offeredTokens(headers({ authorization: value }), true),
      { ok: false, reason: "the Authorization header is not `Bearer <access token>`" },
      value,
    );
});

test("behind Easy Auth: the ID token then the access token, trimmed; blank headers offer nothing", () => {
  assert.deepEqual(
    offeredTokens(headers({ "x-ms-token-aad-id-token": " id.tok ", "x-ms-token-aad-access-token": " acc.tok " }), true),
    {
      ok: true,
      tokens: [
        { kind: "id", from: "X-MS-TOKEN-AAD-ID-TOKEN", token: "id.tok" },
        { kind: "access", from: "X-MS-TOKEN-AAD-ACCESS-TOKEN", token: "acc.tok" },
      ],
    },
  );
  assert.deepEqual(
    offeredTokens(headers({ "x-ms-token-aad-id-token": "   ", "x-ms-token-aad-access-token": "" }), true),
    { ok: true, tokens: [] },
  );
  assert.deepEqual(offeredTokens(headers({}), true), { ok: true, tokens: [] });
});

test("without Easy Auth the token-store headers are not read", () => {
  assert.deepEqual(
    offeredTokens(headers({ "x-ms-token-aad-id-token": "id.tok", "x-ms-token-aad-access-token": "acc.tok" }), false),
    { ok: true, tokens: [] },
  );
});
