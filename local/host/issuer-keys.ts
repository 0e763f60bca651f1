// The token issuer's OpenID metadata and signing keys: `<openIdIssuer>/.well-known/openid-configuration`
// → `jwks_uri`, fetched over verified TLS on first use and cached. A token signed with a key id the
// cache does not know triggers a refetch, at most once per REFRESH_INTERVAL_MS (a flood of forged key
// ids cannot hammer the issuer); a failed fetch is retried on the next request after that interval.
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters } from "jose";
import { getJsonOverHttps } from "./https-json";

/** Minimum time between two fetches of the metadata and key set. */
export const REFRESH_INTERVAL_MS = 10_000;

export interface IssuerMetadata {
  issuer: string;
  jwksUri: string;
  /** For the WWW-Authenticate challenge; absent when the issuer does not publish one. */
  authorizationEndpoint: string | null;
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

interface Loaded {
  metadata: IssuerMetadata;
  keys: KeyResolver;
  kids: Set<string>;
}

export class IssuerKeys {
  private loaded: Loaded | null = null;
  private inFlight: Promise<Loaded> | null = null;
  private lastFetchStart = -Infinity;

  constructor(
    private readonly openIdIssuer: string,
    private readonly caPem: string | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Metadata, loading it if nothing is cached yet. */
  async metadata(): Promise<IssuerMetadata> {
    return (await this.current()).metadata;
  }

  /** The cached metadata, or null before the first successful fetch. */
  cachedMetadata(): IssuerMetadata | null {
    return this.loaded?.metadata ?? null;
  }

  /** Key resolver for jose's jwtVerify: an unknown `kid` refetches (rate-limited) before giving up. */
  readonly resolveKey = async (header: JWSHeaderParameters, token: Parameters<KeyResolver>[1]) => {
    let state = await this.current();
    if (header.kid !== undefined && !state.kids.has(header.kid) && this.mayRefetch()) state = await this.fetch();
    return state.keys(header, token);
  };

  private mayRefetch(): boolean {
    return this.now() - this.lastFetchStart >= REFRESH_INTERVAL_MS;
  }

  private async current(): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    if (this.inFlight) return this.inFlight;
    if (!this.mayRefetch())
      throw new Error(`issuer metadata unavailable (last fetch failed less than ${REFRESH_INTERVAL_MS / 1000} s ago)`);
    return this.fetch();
  }

  private fetch(): Promise<Loaded> {
    if (this.inFlight) return this.inFlight;
    this.lastFetchStart = this.now();
    this.inFlight = this.load().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async load(): Promise<Loaded> {
    const metadataUrl = `${this.openIdIssuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const doc = (await getJsonOverHttps(metadataUrl, { caPem: this.caPem })) as Record<string, unknown>;
    if (typeof doc !== "object" || doc === null) throw new Error(`${metadataUrl}: not a JSON object`);
    const { issuer, jwks_uri: jwksUri, authorization_endpoint: authz } = doc;
    if (issuer !== this.openIdIssuer)
      throw new Error(`${metadataUrl}: issuer is ${JSON.stringify(issuer)}, expected "${this.openIdIssuer}"`);
    if (typeof jwksUri !== "string" || !jwksUri.startsWith("https://"))
      throw new Error(`${metadataUrl}: jwks_uri must be an https URL, got ${JSON.stringify(jwksUri)}`);
    const jwks = (await getJsonOverHttps(jwksUri, { caPem: this.caPem })) as JSONWebKeySet;
    if (typeof jwks !== "object" || jwks === null || !Array.isArray(jwks.keys))
      throw new Error(`${jwksUri}: not a JSON Web Key Set`);
    const keys = createLocalJWKSet(jwks);
    const kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === "string"));
    this.loaded = {
      metadata: { issuer, jwksUri, authorizationEndpoint: typeof authz === "string" ? authz : null },
      keys,
      kids,
    };
    return this.loaded;
  }
}
