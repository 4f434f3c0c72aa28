/**
 * A small client of the worker's HTTP API (design.md §9), used by the benchmark and the demo.
 * It returns the envelope's `data` and throws an error naming the route, status and error code.
 */

export interface SessionData {
  sessionId: string;
  status: string;
  reason?: string | null;
  phoneNumber: string | null;
  pid: number | null;
  restarts: number;
  isRecovered: boolean;
  connectedAt?: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`${route} answered ${status}${code ? ` ${code}` : ''}: ${message}`);
  }
}

export class WorkerApi {
  constructor(readonly baseUrl: string, private readonly token?: string) {}

  async call<T>(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
    const route = `${method} ${path}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: { success?: boolean; data?: T; error?: { code?: string; message?: string } } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new ApiError(route, res.status, undefined, `not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok || parsed?.success !== true) throw new ApiError(route, res.status, parsed?.error?.code, parsed?.error?.message ?? text.slice(0, 200));
    return parsed.data as T;
  }

  createSession(sessionId: string, extra: { userId?: string; name?: string } = {}): Promise<SessionData> {
    return this.call('POST', '/api/sessions', { sessionId, ...extra });
  }

  session(sessionId: string): Promise<SessionData> {
    return this.call('GET', `/api/sessions/${sessionId}`);
  }

  async sessions(): Promise<SessionData[]> {
    return (await this.call<{ sessions: SessionData[] }>('GET', '/api/sessions')).sessions;
  }

  /** The raw QR string, or undefined while the session shows none (404 NO_QR). */
  async qr(sessionId: string): Promise<string | undefined> {
    try {
      return (await this.call<{ qr: string }>('GET', `/api/sessions/${sessionId}/qr`)).qr;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  sendText(sessionId: string, to: string, text: string): Promise<{ messageId: string; status: string; to: string }> {
    return this.call('POST', `/api/sessions/${sessionId}/messages`, { to, type: 'text', text });
  }

  /** `/health` data, or undefined while the server is not answering. */
  async health(): Promise<Record<string, any> | undefined> {
    try {
      return await this.call<Record<string, any>>('GET', '/health', undefined, 3_000);
    } catch {
      return undefined;
    }
  }

  async metricsText(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return res.text();
  }
}
