import axios, { type AxiosInstance } from 'axios';
import { BackendError, codeForStatus, transportErrorCode } from './errors.js';
import { BackendHealth } from './health.js';
import type { WireRequest, WireResponse } from './contract.js';

export interface BackendHttpOptions {
  baseUrl: string;
  token: string | undefined;
  timeoutMs: number;
  userAgent: string;
  /** Told about every request once it settled (metrics); aborted requests are not observed. */
  observe?: RequestObserver | undefined;
}

/** `status` is the HTTP status, or the failure class when no answer came back. */
export type RequestObserver = (operation: string, status: number | 'timeout' | 'network_error', seconds: number) => void;

/**
 * The one HTTP client towards the backend: base URL, bearer token, timeout. It never follows a
 * proxy from the environment (the backend address is exactly the configured one) and turns every
 * transport failure into a BackendError with a stable code. Bodies are never logged here.
 */
export class BackendHttp {
  private readonly axios: AxiosInstance;
  readonly health = new BackendHealth();

  constructor(private readonly options: BackendHttpOptions) {
    this.axios = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
      headers: {
        'User-Agent': options.userAgent,
        Accept: 'application/json',
        ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
      },
    });
  }

  /** Sends and returns any HTTP answer; throws only when there was no answer. */
  async send(req: WireRequest, opts: { timeoutMs?: number; signal?: AbortSignal; operation: string }): Promise<WireResponse> {
    const started = performance.now();
    try {
      const res = await this.axios.request({
        method: req.method,
        url: req.path,
        headers: req.headers,
        data: req.body,
        timeout: opts.timeoutMs ?? this.options.timeoutMs,
        signal: opts.signal,
      });
      this.health.answered();
      this.observe(opts.operation, res.status, started);
      const retryAfter = res.headers['retry-after'] as unknown;
      return { status: res.status, data: res.data as unknown, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) };
    } catch (err) {
      // The axios error is not kept as `cause`: it holds the request config, token included.
      const code = transportErrorCode((err as { code?: string }).code);
      const error = new BackendError(code, `${opts.operation}: ${describe(code)} (${(err as Error).message})`, { operation: opts.operation });
      this.health.failed(opts.operation, error);
      if (code !== 'BACKEND_ABORTED') this.observe(opts.operation, code === 'BACKEND_TIMEOUT' ? 'timeout' : 'network_error', started);
      throw error;
    }
  }

  private observe(operation: string, status: number | 'timeout' | 'network_error', startedMs: number): void {
    try {
      this.options.observe?.(operation, status, (performance.now() - startedMs) / 1000);
    } catch {
      // An observer (metrics) must never turn a backend answer into a failure.
    }
  }

  /** Sends and requires 2xx (or one of `accept`); any other answer becomes a BackendError. */
  async call(req: WireRequest, opts: { timeoutMs?: number; signal?: AbortSignal; operation: string; accept?: number[] }): Promise<WireResponse> {
    const res = await this.send(req, opts);
    if ((res.status >= 200 && res.status < 300) || opts.accept?.includes(res.status)) return res;
    throw this.refused(res, opts.operation);
  }

  /** The error for an answer that is not a success (`better`: a profile's more precise reading of it); recorded for /health. */
  refused(res: WireResponse, operation: string, better?: BackendError | null): BackendError {
    const error = better ?? new BackendError(codeForStatus(res.status), `${operation}: backend answered HTTP ${res.status}${errorText(res.data)}`, { httpStatus: res.status, operation });
    this.health.failed(operation, error);
    return error;
  }
}

function describe(code: string): string {
  if (code === 'BACKEND_TIMEOUT') return 'backend did not answer in time';
  if (code === 'BACKEND_ABORTED') return 'request aborted';
  return 'backend unreachable';
}

/** A short, safe excerpt of the backend's error message (bodies of our requests are never echoed). */
function errorText(data: unknown): string {
  const err = data !== null && typeof data === 'object' ? (data as Record<string, unknown>).error ?? (data as Record<string, unknown>).message : undefined;
  const text = typeof err === 'string' ? err : err !== null && typeof err === 'object' ? (err as Record<string, unknown>).message : undefined;
  return typeof text === 'string' ? `: ${text.slice(0, 200)}` : '';
}
