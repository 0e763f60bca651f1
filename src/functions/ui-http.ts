// GET /api/ui and /api/ui/{file}: the status page for the people on call, served by the Function App itself
// behind the same App Service Authentication as the API (a browser signs in with /.auth/login/aad and
// carries the session cookie). The files are static, hold no data and need no build at request time: the
// page reads the JSON API with the browser's session. Only the files shipped in dist/src/ui are served.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";

/** Where the build copies src/ui (package.json "build"). */
export const UI_DIR = join(__dirname, "..", "ui");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** No inline script or style, no other origin, never framed: the page only talks to this app. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Revalidate every time (a deployment changes the files); an unchanged file costs a 304.
  "cache-control": "no-cache",
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

let assets: Map<string, Asset> | undefined;

function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    out.set(name, { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"` });
  }
  return out;
}

export async function serveUi(request: HttpRequest): Promise<HttpResponseInit> {
  assets ??= loadAssets(UI_DIR);
  const path = request.params.path ?? "";
  const asset = assets.get(path === "" ? "index.html" : path);
  if (!asset) {
    return {
      status: 404,
      body: "Not found",
      headers: { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS },
    };
  }
  const headers = { "content-type": asset.type, etag: asset.etag, ...SECURITY_HEADERS };
  if (request.headers.get("if-none-match") === asset.etag) return { status: 304, headers };
  return { status: 200, body: asset.body, headers };
}

// One function for the page and its files. The files are the same for everyone and hold no data, so no
// role is checked here; every call the page makes is authorized by the API.
app.http("ui", { route: "ui/{*path}", methods: ["GET"], authLevel: "anonymous", handler: serveUi });
