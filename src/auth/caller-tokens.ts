// Which tokens a request offers as its caller's identity, in the order they are tried. Decides nothing about
// their validity (src/auth/entra-tokens.ts does).
// - `Authorization: Bearer <token>`: an access token; when present it is the only one looked at.
// - Only behind App Service Authentication (WEBSITE_AUTH_ENABLED): a browser session carries no Authorization
//   header; Easy Auth's token store injects the session's tokens as X-MS-TOKEN-AAD-ID-TOKEN and
//   X-MS-TOKEN-AAD-ACCESS-TOKEN (Microsoft Learn, "Work with OAuth tokens in Azure App Service authentication";
//   only with the token store enabled: Azure/Azure-Functions#242). The ID token comes first: it is always for
//   this app (audience = client id), while the stored access token may be for another resource or not a JWT
//   at all (MicrosoftDocs/azure-docs#102508).
import type { TokenKind } from "./entra-tokens";

type Headers = { get(name: string): string | null };

export interface OfferedToken {
  kind: TokenKind;
  /** The header it came from (for messages). */
  from: string;
  token: string;
}

export type Offered = { ok: true; tokens: OfferedToken[] } | { ok: false; reason: string };

export function offeredTokens(headers: Headers, easyAuth: boolean): Offered {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const m = /^bearer[ \t]+(\S+)$/i.exec(authorization.trim());
    if (!m) return { ok: false, reason: "the Authorization header is not `Bearer <access token>`" };
    return { ok: true, tokens: [{ kind: "access", from: "Authorization", token: m[1]! }] };
  }
  if (!easyAuth) return { ok: true, tokens: [] };
  const tokens: OfferedToken[] = [];
  const id = headers.get("x-ms-token-aad-id-token")?.trim();
  if (id) tokens.push({ kind: "id", from: "X-MS-TOKEN-AAD-ID-TOKEN", token: id });
  const access = headers.get("x-ms-token-aad-access-token")?.trim();
  if (access) tokens.push({ kind: "access", from: "X-MS-TOKEN-AAD-ACCESS-TOKEN", token: access });
  return { ok: true, tokens };
}
