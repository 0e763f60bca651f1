// App Service Authentication in front of the app, as the platform runs it before the Functions host:
// - client-sent X-MS-CLIENT-PRINCIPAL{,-ID,-NAME,-IDP} headers are always removed (only the platform sets them);
// - excludedPaths pass through unauthenticated;
// - `Authorization: Bearer <token>`: a valid token injects the principal headers, any other → 401;
// - a session (auth-sessions.ts): the X-ZUMO-AUTH header or the AppServiceAuthSession cookie, opened by a
//   sign-in at /.auth/login/aad (auth-endpoints.ts); its token is validated again on every request; with the
//   token store on (login.tokenStore.enabled), the session's token reaches the app as X-MS-TOKEN-AAD-ID-TOKEN
//   (interactive sign-in) or X-MS-TOKEN-AAD-ACCESS-TOKEN (client-directed), as Microsoft Learn's "Work with
//   OAuth tokens in Azure App Service authentication" lists them ("token store must be enabled");
// - no credential: per requireAuthentication/unauthenticatedClientAction (pass, 401 or 403).
// Function keys are checked afterwards, independently, as the Functions host does behind Easy Auth.
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleAuthEndpoint } from "./auth-endpoints";
import { AuthSessions, sessionCookie } from "./auth-sessions";
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
  readonly sessions: AuthSessions;

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
    this.sessions = new AuthSessions(o.now);
  }

  /** Serves Easy Auth's own endpoints (/.auth/…): sign-in, sign-out, and the lab's sign-in links. */
  endpoint(req: IncomingMessage, res: ServerResponse, url: URL, readBody: () => Promise<Buffer | null>) {
    return handleAuthEndpoint(
      {
        sessions: this.sessions,
        validate: (token) => this.validator.validate(token),
        logger: this.o.logger,
        issuer: this.o.settings.openIdIssuer,
      },
      req,
      res,
      url,
      readBody,
    );
  }

  /** Start-up lines describing the configuration (no secrets in it). */
  describe(): string[] {
    const s = this.o.settings;
    const anonymous = !s.requireAuthentication || s.unauthenticatedClientAction === "AllowAnonymous";
    const lines = [
      `App Service Authentication on (${s.file}): provider aad, issuer ${s.openIdIssuer}, audiences ${[s.clientId, ...s.allowedAudiences].join(", ")}`,
      `  unauthenticated requests: ${anonymous ? "allowed (no principal)" : s.unauthenticatedClientAction === "Return403" ? "403" : "401"}` +
        (s.excludedPaths.length > 0 ? `; excluded paths: ${s.excludedPaths.join(", ")}` : ""),
      `  token store ${s.tokenStore ? "on: sessions pass their token to the app (X-MS-TOKEN-AAD-*)" : "off: sessions pass no token to the app"}`,
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
    // A session handed out at sign-in: presented explicitly (X-ZUMO-AUTH), an unusable one is refused like
    // a bad bearer token; a stale cookie is what a browser keeps after its session ended, so it counts as none.
    const zumo = req.headers["x-zumo-auth"];
    if (typeof zumo === "string") {
      const why = await this.fromSession(req, zumo.trim());
      if (why === null) return null;
      return this.refuse(401, req, path, `X-ZUMO-AUTH session rejected: ${why}`);
    }
    const cookie = sessionCookie(req.headers.cookie);
    if (cookie !== undefined) {
      const why = await this.fromSession(req, cookie);
      if (why === null) return null;
      this.o.logger.host(`auth: ${req.method ?? "GET"} ${path}: session cookie not accepted (${why})`);
    }
    const s = this.o.settings;
    if (!s.requireAuthentication || s.unauthenticatedClientAction === "AllowAnonymous") return null;
    return this.refuse(
      s.unauthenticatedClientAction === "Return403" ? 403 : 401,
      req,
      path,
      "no bearer token or session",
    );
  }

  /** Injects the principal of a live session (and its stored token): null when it did, else why not (safe to log). */
  private async fromSession(req: IncomingMessage, sessionId: string): Promise<string | null> {
    const stored = sessionId === "" ? undefined : this.sessions.stored(sessionId);
    if (stored === undefined) return "no such session (signed out, expired, or from before a restart)";
    try {
      Object.assign(req.headers, principalHeaders(await this.validator.validate(stored.token)));
      if (this.o.settings.tokenStore)
        req.headers[stored.kind === "id" ? "x-ms-token-aad-id-token" : "x-ms-token-aad-access-token"] = stored.token;
      return null;
    } catch (err) {
      this.sessions.close(sessionId);
      return `its token is no longer accepted: ${err instanceof TokenRejected ? err.message : (err as Error).message}`;
    }
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
