// A small client for the app's HTTP API, as an on-call engineer's script would use it: it calls as an
// Entra principal (a bearer token), optionally with a function key (the alert endpoint's credential).
// Every answer is checked for a leaked key: no response of this app may carry `code=`.
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Who calls: a bearer token (App Service Authentication) and/or a function key. */
export interface Caller {
  token?: string;
  functionKey?: string;
}

export class FailoverApi {
  constructor(
    readonly baseUrl: string,
    readonly caller: Caller = {},
  ) {}

  /** The same API, called by someone else. */
  as(caller: Caller): FailoverApi {
    return new FailoverApi(this.baseUrl, caller);
  }

  post<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.send<T>("POST", path, body);
  }

  get<T = unknown>(path: string): Promise<ApiResponse<T>> {
    return this.send<T>("GET", path, undefined);
  }

  delete<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>("DELETE", path, body);
  }

  private async send<T>(method: string, path: string, body: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.caller.token) headers.authorization = `Bearer ${this.caller.token}`;
    if (this.caller.functionKey) headers["x-functions-key"] = this.caller.functionKey;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // The Durable extension's management URLs carry its system key as code=: none may reach a caller.
    const leaked = [["body", text], ...res.headers.entries()].find(([, value]) => /[?&]code=/.test(value ?? ""));
    if (leaked) throw new Error(`${method} ${path}: the response ${leaked[0]} carries a key (code=)`);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}
