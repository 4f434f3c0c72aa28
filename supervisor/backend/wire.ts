/** One HTTP request as a profile describes it; the client adds base URL, auth and timeouts. */
export interface WireRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface WireResponse {
  status: number;
  data: unknown;
  /** The `Retry-After` header of a 429 or 503, as sent. */
  retryAfter?: string;
}
