// A small client for the app's HTTP API, as an on-call engineer's script would use it.
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class FailoverApi {
  constructor(
    readonly baseUrl: string,
    private readonly functionKey: string,
  ) {}

  post<T = unknown>(path: string, body: unknown, opts: { key?: string | null } = {}): Promise<ApiResponse<T>> {
    return this.send<T>("POST", path, body, opts.key);
  }

  get<T = unknown>(path: string, opts: { key?: string | null } = {}): Promise<ApiResponse<T>> {
    return this.send<T>("GET", path, undefined, opts.key);
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    key: string | null | undefined,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    const k = key === undefined ? this.functionKey : key;
    if (k) headers["x-functions-key"] = k;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}
