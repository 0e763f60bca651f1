// Browser sessions of the host's App Service Authentication, in memory. Easy Auth keeps a signed-in
// browser's session in the AppServiceAuthSession cookie (or, for a client-directed sign-in, hands out the
// same session as `authenticationToken` for the X-ZUMO-AUTH header). Here a session is a random id that
// maps to the access token it was opened with; the token is validated again on every request, so a session
// ends when its token expires (or its signing key leaves the issuer's JWKS), and at sign-out.
//
// Lab tickets stand in for the interactive step the lab cannot have (there is no Entra sign-in page): a
// ticket is minted for a valid token, used once, and opens a session in the browser that follows its link.
import { randomBytes } from "node:crypto";

export const SESSION_COOKIE = "AppServiceAuthSession";
/** Sessions and tickets kept at most; the oldest go first beyond this (a lab never gets near it). */
export const MAX_ENTRIES = 10_000;

/**
 * What Easy Auth's token store holds for a session: after an interactive (server-directed) sign-in, the ID
 * token Entra returned; after a client-directed sign-in with {"access_token"}, that access token.
 */
export type StoredTokenKind = "id" | "access";

interface Entry {
  token: string;
  kind: StoredTokenKind;
  /** When the token expires (ms since the epoch); the entry is dropped after it. */
  expiresAt: number;
}

const newId = () => randomBytes(32).toString("base64url");

class Store {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly now: () => number) {}

  add(token: string, expiresAt: number, kind: StoredTokenKind): string {
    this.sweep();
    const id = newId();
    this.entries.set(id, { token, kind, expiresAt });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return id;
  }

  get(id: string): Entry | undefined {
    const e = this.entries.get(id);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return e;
  }

  delete(id: string): boolean {
    return this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(id);
  }
}

/** Sessions (cookie or X-ZUMO-AUTH) and single-use lab tickets. */
export class AuthSessions {
  readonly sessions: Store;
  private readonly tickets: Store;

  constructor(now: () => number = Date.now) {
    this.sessions = new Store(now);
    this.tickets = new Store(now);
  }

  open(token: string, expiresAt: number, kind: StoredTokenKind): string {
    return this.sessions.add(token, expiresAt, kind);
  }

  /** The token behind a session id, or undefined (unknown, signed out, or its token's lifetime is over). */
  token(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.token;
  }

  /** The session's token and what the token store holds it as, or undefined like token(). */
  stored(sessionId: string): { token: string; kind: StoredTokenKind } | undefined {
    const e = this.sessions.get(sessionId);
    return e && { token: e.token, kind: e.kind };
  }

  close(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  mintTicket(token: string, expiresAt: number): string {
    return this.tickets.add(token, expiresAt, "id");
  }

  /** The token a ticket carries, once: the ticket is gone after this call whatever it returns. */
  redeemTicket(ticket: string): string | undefined {
    const token = this.tickets.get(ticket)?.token;
    this.tickets.delete(ticket);
    return token;
  }
}

/** The AppServiceAuthSession value of a Cookie header, if any. */
export function sessionCookie(header: string | string[] | undefined): string | undefined {
  const all = Array.isArray(header) ? header.join("; ") : (header ?? "");
  for (const part of all.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const v = part.slice(eq + 1).trim();
      return v === "" ? undefined : v;
    }
  }
  return undefined;
}

/** Set-Cookie for a session (HttpOnly, SameSite=Lax: no cross-site POST carries it), or to clear it. */
export function sessionSetCookie(sessionId: string | null): string {
  const attributes = "Path=/; HttpOnly; SameSite=Lax";
  return sessionId === null
    ? `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`
    : `${SESSION_COOKIE}=${sessionId}; ${attributes}`;
}
