// App Service Authentication in front of the app, as the platform runs it before the Functions host:
// - client-sent X-MS-CLIENT-PRINCIPAL{,-ID,-NAME,-IDP} headers are always removed (only the platform sets them);
// - excludedPaths pass through unauthenticated;
// - `Authorization: Bearer <token>`: a valid token injects the principal headers, any other → 401;
// - no bearer token: per requireAuthentication/unauthenticatedClientAction (pass, 401 or 403).
// Function keys are checked afterwards, independently, as the Functions host does behind Easy Auth.
import type { IncomingMessage } from "node:http";
import type { AuthSettings } from "./auth-settings";
import { RPC_PATH } from "./client-input";
import { PRINCIPAL_HEADERS, principalHeaders } from "./client-principal";
import { ExcludedPaths } from "./excluded-paths";
import { IssuerKeys } from "./issuer-keys";
import type { Logger } from "./log";
import { TokenRejected, TokenValidator } from "./token-validator";

/** What Easy Auth answers when it refuses a request (401 and 403 alike). */
export const REFUSAL_BODY = "You do not have permission to view this directory or page.";

export interface AuthRefusal {
  status: 401 | 403;
  headers: Record<string, string>;
  body: string;
}

export interface EasyAuthOptions {
  settings: AuthSettings;
  logger: Logger;
  /** host:port of this host, the realm of the 401 challenge. */
  realm: () => string;
  now?: () => number;
}

export class EasyAuth {
  private readonly keys: IssuerKeys;
  private readonly validator: TokenValidator;
  private readonly excluded: ExcludedPaths;

  constructor(private readonly o: EasyAuthOptions) {
    const s = o.settings;
    this.keys = new IssuerKeys(s.openIdIssuer, s.caPem, o.now);
    this.validator = new TokenValidator({
      keys: this.keys,
      issuer: s.openIdIssuer,
      clientId: s.clientId,
      allowedAudiences: s.allowedAudiences,
      now: o.now,
    });
    this.excluded = new ExcludedPaths(s.excludedPaths);
  }

  /** Start-up lines describing the configuration (no secrets in it). */
  describe(): string[] {
    const s = this.o.settings;
    const anonymous = !s.requireAuthentication || s.unauthenticatedClientAction === "AllowAnonymous";
    const lines = [
      `App Service Authentication on (${s.file}): provider aad, issuer ${s.openIdIssuer}, audiences ${[s.clientId, ...s.allowedAudiences].join(", ")}`,
      `  unauthenticated requests: ${anonymous ? "allowed (no principal)" : s.unauthenticatedClientAction === "Return403" ? "403" : "401"}` +
        (s.excludedPaths.length > 0 ? `; excluded paths: ${s.excludedPaths.join(", ")}` : ""),
    ];
    if (!s.requireAuthentication && s.unauthenticatedClientAction !== "AllowAnonymous")
      lines.push(
        `  requireAuthentication is false: unauthenticatedClientAction ${s.unauthenticatedClientAction} is not applied`,
      );
    if (s.requireAuthentication && s.unauthenticatedClientAction === "RedirectToLoginPage")
      lines.push(
        "  RedirectToLoginPage: there is no login page here; unauthenticated API requests get 401, as Easy Auth answers non-browser clients",
      );
    return lines;
  }

  /**
   * Applies Easy Auth to a request before it is routed: null lets it through (its headers possibly
   * rewritten), otherwise the refusal to send.
   */
  async authenticate(req: IncomingMessage, url: URL): Promise<AuthRefusal | null> {
    const path = url.pathname;
    // The Functions host's admin API is not behind Easy Auth; the RPC base is the durable client's
    // loopback channel to the extension, which never passes through the front end.
    if (path.startsWith("/admin/") || path.startsWith(`${RPC_PATH}/`)) return null;
    for (const h of PRINCIPAL_HEADERS) delete req.headers[h];
    if (this.excluded.matches(path)) return null;

    const auth = req.headers.authorization;
    const bearer = typeof auth === "string" ? /^bearer(?:\s+(.*))?$/is.exec(auth.trim()) : null;
    if (bearer) {
      const token = (bearer[1] ?? "").trim();
      try {
        if (token === "") throw new TokenRejected("empty bearer token");
        const payload = await this.validator.validate(token);
        Object.assign(req.headers, principalHeaders(payload));
        return null;
      } catch (err) {
        const reason = err instanceof TokenRejected ? err.message : `validation failed: ${(err as Error).message}`;
        return this.refuse(401, req, path, `bearer token rejected: ${reason}`);
      }
    }
    const s = this.o.settings;
    if (!s.requireAuthentication || s.unauthenticatedClientAction === "AllowAnonymous") return null;
    return this.refuse(s.unauthenticatedClientAction === "Return403" ? 403 : 401, req, path, "no bearer token");
  }

  private refuse(status: 401 | 403, req: IncomingMessage, path: string, why: string): AuthRefusal {
    this.o.logger.host(`auth: ${status} ${req.method ?? "GET"} ${path}: ${why}`);
    const headers: Record<string, string> = {};
    if (status === 401) {
      const authz = this.keys.cachedMetadata()?.authorizationEndpoint;
      headers["www-authenticate"] =
        `Bearer realm="${this.o.realm()}"` + (authz ? ` authorization_uri="${authz.replace(/["\\]/g, "")}"` : "");
    }
    return { status, headers, body: REFUSAL_BODY };
  }
}
