// Easy Auth's own endpoints under /.auth, as far as a lab without an interactive identity provider can
// honestly play them:
//   POST /.auth/login/aad {"access_token": "…"}  client-directed sign-in (as in Azure): the token is
//        validated like a bearer token; 200 {authenticationToken, user: {userId}} and the session cookie
//        (none with ?session_mode=token); the authenticationToken works as X-ZUMO-AUTH.
//   GET  /.auth/login/aad      in Azure, the redirect to Microsoft Entra's sign-in page; here a page that
//        says there is none and how the lab signs a browser in.
//   GET  /.auth/logout[?post_logout_redirect_uri=/path]  ends the session, clears the cookie, 302 to the
//        path or /.auth/logout/done.
// Lab only (no such path exists in Azure; they stand in for the interactive sign-in):
//   POST /.auth/lab/ticket {"access_token": "…"}  201 {ticket, expiresAt, signIn}: a single-use ticket.
//   GET  /.auth/lab/signin?ticket=…[&post_login_redirect_uri=/path]  opens a session for the ticket's
//        token in this browser and redirects (to / by default), as Entra's callback would.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { JWTPayload } from "jose";
import { sessionCookie, sessionSetCookie, type AuthSessions } from "./auth-sessions";
import { sendJson } from "./http-util";
import type { Logger } from "./log";
import { CLOCK_SKEW_SECONDS, TokenRejected } from "./token-validator";

export const AUTH_PREFIX = "/.auth/";
/** Sign-in bodies are a token or two: anything bigger is refused before it is parsed. */
export const MAX_AUTH_BODY_BYTES = 64 * 1024;

export interface AuthEndpointDeps {
  sessions: AuthSessions;
  /** Validates an access token as the request gate does (throws TokenRejected). */
  validate(token: string): Promise<JWTPayload>;
  logger: Logger;
  /** The openIdIssuer: part of the opaque user id handed back at sign-in. */
  issuer: string;
}

type ReadBody = () => Promise<Buffer | null>;

export async function handleAuthEndpoint(
  deps: AuthEndpointDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  readBody: ReadBody,
): Promise<void> {
  const path = url.pathname.toLowerCase().replace(/\/+$/, "");
  const method = (req.method ?? "GET").toUpperCase();
  const route = ROUTES[path];
  if (!route) return sendText(res, 404, "Not found");
  const handler = route[method];
  if (!handler) return sendText(res, 405, `Method ${method} not allowed`, { allow: Object.keys(route).join(", ") });
  return handler(deps, req, res, url, readBody);
}

type Handler = (
  deps: AuthEndpointDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  readBody: ReadBody,
) => Promise<void> | void;

const ROUTES: Record<string, Record<string, Handler>> = {
  "/.auth/login/aad": { POST: clientDirectedLogin, GET: noInteractiveLogin },
  "/.auth/logout": { GET: logout },
  "/.auth/logout/done": { GET: (_d, _q, res) => sendHtml(res, 200, "Signed out", "<p>You have signed out.</p>") },
  "/.auth/lab/ticket": { POST: mintTicket },
  "/.auth/lab/signin": { GET: labSignIn },
};

async function clientDirectedLogin(
  deps: AuthEndpointDeps,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  readBody: ReadBody,
): Promise<void> {
  const token = await accessToken(res, readBody);
  if (token === undefined) return;
  const payload = await validated(deps, res, token, "sign-in");
  if (!payload) return;
  const session = deps.sessions.open(token, sessionEnd(payload), "access");
  const tokenOnly = url.searchParams.get("session_mode") === "token";
  deps.logger.host(`auth: ${who(payload)} signed in (client-directed${tokenOnly ? ", token only" : ", cookie"})`);
  sendJson(
    res,
    200,
    { authenticationToken: session, user: { userId: userId(deps.issuer, payload) } },
    { "cache-control": "no-store", ...(tokenOnly ? {} : { "set-cookie": sessionSetCookie(session) }) },
  );
}

function noInteractiveLogin(_deps: AuthEndpointDeps, _req: IncomingMessage, res: ServerResponse): void {
  sendHtml(
    res,
    200,
    "Sign in (local host)",
    `<p>In Azure, this address sends you to Microsoft Entra ID and back with a session cookie.
This local host has no interactive sign-in page.</p>
<p>To sign this browser in, open a sign-in link: <code>npm run drill</code> prints one for each lab user
(each link works once). Or make one from an access token of the lab's issuer (the <code>TOKEN=…</code> line
that <code>npm run lab</code> prints):</p>
<pre>curl -s -X POST -H 'content-type: application/json' -d "{\\"access_token\\":\\"$TOKEN\\"}" &lt;host&gt;/.auth/lab/ticket</pre>
<p>and open <code>&lt;host&gt;</code> followed by the <code>signIn</code> path it returns.</p>`,
  );
}

function logout(deps: AuthEndpointDeps, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const target = redirectTarget(url.searchParams.get("post_logout_redirect_uri"), "/.auth/logout/done");
  if (target === null) return sendText(res, 400, "post_logout_redirect_uri must be a path on this site");
  const zumo = req.headers["x-zumo-auth"];
  const ids = [sessionCookie(req.headers.cookie), typeof zumo === "string" ? zumo.trim() : undefined];
  const closed = ids.filter((id): id is string => !!id && deps.sessions.close(id)).length;
  deps.logger.host(`auth: sign-out (${closed ? "session ended" : "no session"})`);
  res.writeHead(302, { location: target, "set-cookie": sessionSetCookie(null), "cache-control": "no-store" });
  res.end();
}

async function mintTicket(
  deps: AuthEndpointDeps,
  _req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  readBody: ReadBody,
): Promise<void> {
  const token = await accessToken(res, readBody);
  if (token === undefined) return;
  const payload = await validated(deps, res, token, "ticket");
  if (!payload) return;
  const expiresAt = sessionEnd(payload);
  const ticket = deps.sessions.mintTicket(token, expiresAt);
  deps.logger.host(`auth: lab sign-in ticket minted for ${who(payload)}`);
  sendJson(
    res,
    201,
    {
      ticket,
      expiresAt: new Date(expiresAt).toISOString(),
      signIn: `/.auth/lab/signin?ticket=${encodeURIComponent(ticket)}`,
    },
    { "cache-control": "no-store" },
  );
}

async function labSignIn(deps: AuthEndpointDeps, _req: IncomingMessage, res: ServerResponse, url: URL) {
  const target = redirectTarget(url.searchParams.get("post_login_redirect_uri"), "/");
  if (target === null) return sendText(res, 400, "post_login_redirect_uri must be a path on this site");
  const ticket = url.searchParams.get("ticket") ?? "";
  const token = ticket ? deps.sessions.redeemTicket(ticket) : undefined;
  const unusable = (why: string) => {
    deps.logger.host(`auth: lab sign-in refused: ${why}`);
    sendHtml(
      res,
      401,
      "Sign-in link not valid",
      `<p>This sign-in link is not valid: ${escapeHtml(why)}. Each link works once; ask the lab for a new one.</p>`,
    );
  };
  if (!token) return unusable("unknown, already used, or expired");
  let payload: JWTPayload;
  try {
    payload = await deps.validate(token);
  } catch (err) {
    return unusable(err instanceof TokenRejected ? `its token is not valid (${err.message})` : "validation failed");
  }
  // The link stands in for Entra's sign-in page, after which the token store holds the ID token.
  const session = deps.sessions.open(token, sessionEnd(payload), "id");
  deps.logger.host(`auth: ${who(payload)} signed in (lab sign-in link)`);
  res.writeHead(302, { location: target, "set-cookie": sessionSetCookie(session), "cache-control": "no-store" });
  res.end();
}

// --- helpers ---

/** The access_token of a JSON body, or undefined once a 400/413 has been sent. */
async function accessToken(res: ServerResponse, readBody: ReadBody): Promise<string | undefined> {
  const body = await readBody();
  if (body === null) {
    sendJson(res, 413, { code: 413, message: `the body exceeds ${MAX_AUTH_BODY_BYTES} bytes` });
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const token = (parsed as { access_token?: unknown } | undefined)?.access_token;
  if (typeof token !== "string" || token.trim() === "") {
    sendJson(res, 400, { code: 400, message: 'the body must be JSON {"access_token": "<token>"}' });
    return undefined;
  }
  return token.trim();
}

async function validated(
  deps: AuthEndpointDeps,
  res: ServerResponse,
  token: string,
  what: string,
): Promise<JWTPayload | undefined> {
  try {
    return await deps.validate(token);
  } catch (err) {
    const why = err instanceof TokenRejected ? err.message : `validation failed: ${(err as Error).message}`;
    deps.logger.host(`auth: 401 ${what}: access token rejected: ${why}`);
    sendJson(res, 401, { code: 401, message: `access token rejected: ${why}` });
    return undefined;
  }
}

/** A session lasts as long as its token is accepted: exp plus the validator's clock skew. */
function sessionEnd(payload: JWTPayload): number {
  return ((payload.exp ?? 0) + CLOCK_SKEW_SECONDS) * 1000;
}

/** An opaque, stable user id ("sid:…") as Easy Auth returns one; it is not the object id. */
function userId(issuer: string, payload: JWTPayload): string {
  const subject = String(payload.oid ?? payload.sub ?? "");
  return `sid:${createHash("sha256").update(`${issuer}|${subject}`).digest("hex").slice(0, 32)}`;
}

function who(payload: JWTPayload): string {
  const name = payload.preferred_username ?? payload.name ?? payload.oid ?? payload.sub;
  return typeof name === "string" ? name : "a caller";
}

/** A path on this site (never another host: no "//", no "/\\", no scheme), or the default; null if not. */
export function redirectTarget(value: string | null, fallback: string): string | null {
  if (value === null || value === "") return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === "\\")) return null;
  return value;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "content-security-policy": "default-src 'none'",
    "cache-control": "no-store",
  });
  res.end(html);
}
