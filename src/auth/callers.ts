// Who a request comes from: the first token it offers (caller-tokens.ts) that the app validates itself
// (entra-tokens.ts) gives the principal; anything else is a reason to refuse, safe to show (no token content).
import type { CallerAuthConfig } from "../config/settings";
import { offeredTokens } from "./caller-tokens";
import { EntraKeys } from "./entra-keys";
import { EntraTokens, TokenRejected } from "./entra-tokens";
import { httpsFetch, type Fetch } from "./https-fetch";
import { principalFromClaims, type Principal } from "./principal";

export type Identified = { ok: true; principal: Principal } | { ok: false; reason: string };

type Headers = { get(name: string): string | null };

const NOT_CONFIGURED =
  "the app is not told which Entra tenant and app registration to trust (PGFLEX_AUTH_TENANT_ID, " +
  "PGFLEX_AUTH_CLIENT_ID), so no caller can be verified (a function key alone is not enough)";

export class Callers {
  constructor(
    private readonly easyAuth: boolean,
    private readonly tokens: EntraTokens | undefined,
  ) {}

  static fromConfig(auth: CallerAuthConfig, fetch: Fetch = httpsFetch(auth.entra?.caPem)): Callers {
    const entra = auth.entra;
    if (!entra) return new Callers(auth.easyAuth, undefined);
    const keys = new EntraKeys({ authority: entra.authority, tenantId: entra.tenantId, fetch });
    return new Callers(auth.easyAuth, new EntraTokens({ config: entra, keys }));
  }

  async identify(headers: Headers): Promise<Identified> {
    if (!this.tokens) return { ok: false, reason: NOT_CONFIGURED };
    const offered = offeredTokens(headers, this.easyAuth);
    if (!offered.ok) return offered;
    if (offered.tokens.length === 0)
      return {
        ok: false,
        reason: this.easyAuth
          ? "sign in with Entra ID: send an access token for this app (Authorization: Bearer …), or sign in to the status page"
          : "send an Entra access token for this app (Authorization: Bearer …); a function key alone is not enough",
      };
    const refused: string[] = [];
    for (const t of offered.tokens) {
      try {
        const principal = principalFromClaims(await this.tokens.validate(t.token, t.kind));
        if (principal) return { ok: true, principal };
        refused.push(`${t.from}: the token has no object id (oid)`);
      } catch (err) {
        if (!(err instanceof TokenRejected)) throw err;
        refused.push(`${t.from}: ${err.message}`);
      }
    }
    return { ok: false, reason: refused.join("; ") };
  }
}
