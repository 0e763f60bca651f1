// The tenant's issuers and signing keys, from OpenID discovery. Entra has one metadata document per token
// version: a v1.0 token (ver "1.0") is checked against <authority>/<tenant>/.well-known/openid-configuration, a
// v2.0 token against <authority>/<tenant>/v2.0/.well-known/openid-configuration, "even if the authority
// configured for your web API is a v2.0 authority" (Microsoft Learn, "Access tokens in the Microsoft identity
// platform", Validate tokens). Each document is fetched once (a failed fetch is retried after RETRY_MS); its
// issuer must name the tenant and its jwks_uri be https. One jose remote key set per issuer caches the keys:
// kept a day ("a reasonable frequency to check for updates to the public keys ... is every 24 hours", same
// page), refetched sooner when a token names an unknown key id (at most every 30 s, jose's cooldown).
import { createRemoteJWKSet, customFetch } from "jose";
import type { Fetch } from "./https-fetch";

export type TokenVersion = "1.0" | "2.0";

/** Minimum time between two attempts to fetch a metadata document after one failed. */
export const RETRY_MS = 10_000;
export const KEYS_MAX_AGE_MS = 24 * 3600_000;

export interface TenantIssuer {
  /** The issuer exactly as the metadata names it: the tokens' `iss` must equal it. */
  issuer: string;
  keys: ReturnType<typeof createRemoteJWKSet>;
}

export interface EntraKeysOptions {
  authority: string;
  tenantId: string;
  fetch: Fetch;
  now?: () => number;
}

export function metadataUrl(authority: string, tenantId: string, version: TokenVersion): string {
  return `${authority}/${tenantId}${version === "2.0" ? "/v2.0" : ""}/.well-known/openid-configuration`;
}

export class EntraKeys {
  private readonly loaded = new Map<TokenVersion, Promise<TenantIssuer>>();
  private readonly failedAt = new Map<TokenVersion, number>();

  constructor(private readonly o: EntraKeysOptions) {}

  /** The issuer and keys for tokens of this version (throws, with a reason safe to show, when unavailable). */
  issuer(version: TokenVersion): Promise<TenantIssuer> {
    const cached = this.loaded.get(version);
    if (cached) return cached;
    const now = (this.o.now ?? Date.now)();
    const failed = this.failedAt.get(version);
    if (failed !== undefined && now - failed < RETRY_MS)
      return Promise.reject(new Error(`the tenant's v${version} metadata could not be fetched moments ago`));
    const p = this.load(version);
    this.loaded.set(version, p);
    p.catch(() => {
      this.loaded.delete(version);
      this.failedAt.set(version, now);
    });
    return p;
  }

  private async load(version: TokenVersion): Promise<TenantIssuer> {
    const url = metadataUrl(this.o.authority, this.o.tenantId, version);
    const res = await this.o.fetch(url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    const doc = (await res.json().catch(() => null)) as { issuer?: unknown; jwks_uri?: unknown } | null;
    const issuer = doc?.issuer;
    const jwksUri = doc?.jwks_uri;
    // A tenant-specific document names the tenant in its issuer; "{tenantid}" templates are for multi-tenant apps.
    if (typeof issuer !== "string" || !issuer.toLowerCase().includes(this.o.tenantId.toLowerCase()))
      throw new Error(`${url}: its issuer does not name tenant ${this.o.tenantId}`);
    if (typeof jwksUri !== "string" || !jwksUri.startsWith("https://"))
      throw new Error(`${url}: jwks_uri is not an https URL`);
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      [customFetch]: this.o.fetch as never,
      cacheMaxAge: KEYS_MAX_AGE_MS,
    });
    return { issuer, keys };
  }
}
