// The app's JSON API, called with the browser's session (the App Service Authentication cookie). A 401
// means there is no session (never signed in, signed out, or it expired): the page shows its sign-in screen.

export class SignedOut extends Error {
  constructor() {
    super("not signed in");
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `the app answered HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? null;
  }
}

/** Server time minus browser time (ms), from the Date header of the last answer; 0 when within 2 s. */
let skewMs = 0;
export const serverNow = () => Date.now() + skewMs;

async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers:
      body === undefined
        ? { accept: "application/json" }
        : { accept: "application/json", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const date = Date.parse(res.headers.get("date") ?? "");
  if (!Number.isNaN(date)) skewMs = Math.abs(date - Date.now()) > 2000 ? date - Date.now() : 0;
  if (res.status === 401) throw new SignedOut();
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null; // not JSON (Easy Auth's own refusals are plain text)
  }
  if (res.status >= 400) throw new ApiError(res.status, parsed);
  return { status: res.status, body: parsed };
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body);

export const runKind = (id) => (id.startsWith("reprotect-") ? "reprotects" : "failovers");

export const paths = {
  me: "/api/me",
  pairs: "/api/pairs",
  runs: (pair, limit) => `/api/pairs/${encodeURIComponent(pair)}/runs?limit=${limit}`,
  // A run's status and decisions: a re-protection's under /api/reprotects, any failover's under /api/failovers.
  failover: (id) => `/api/${runKind(id)}/${encodeURIComponent(id)}`,
  decide: (id, decision) => `/api/${runKind(id)}/${encodeURIComponent(id)}/${decision}`,
};

/** Easy Auth's sign-in, coming back to where the page is now. */
export function signInUrl() {
  return `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname + location.hash)}`;
}

export const SIGN_OUT_URL = "/.auth/logout";
