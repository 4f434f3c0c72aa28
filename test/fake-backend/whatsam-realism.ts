/**
 * Behaviours of the real whatsam backend (`mnofrizal/be-whatsam-gateway`, head c005b56) that the
 * fake reproduces only when a test asks for them (`FakeBackendOptions.realism`): they cost time
 * (a minute-long rate window, a health probe per registration) or change answers other tests rely
 * on. Facts, each from the file named:
 *
 * - `src/app.js` mounts `apiLimiter` on the whole app; `src/config/security.js`: 1,000 requests per
 *   15 minutes per IP, `standardHeaders: true` (draft-6 `RateLimit-*`), `legacyHeaders: false`.
 * - `src/routes/webhook.routes.js`: every webhook runs `authenticateWorker`, then `sessionLimiter`
 *   (60 a minute, keyed by `req.user?.userId || req.ip`; a worker has no user, so per IP, shared by
 *   all three webhooks), then its Joi validator. express-rate-limit 7: a fixed window per key that
 *   starts at the key's first hit, every hit counted (refused ones too), `429` with `Retry-After`
 *   (seconds to the window's end) and, with the default `legacyHeaders`, `X-RateLimit-*`.
 * - `src/services/worker.service.js` `registerWorker`: `GET ${endpoint}/health` with a 5 s timeout
 *   first (anything but 200 → `ConnectivityError` → 503); then 409 when another worker id holds the
 *   endpoint, or when this id is registered with another endpoint.
 * - `src/controllers/worker.controller.js` `normalizeWorkerId` on register and unregister.
 * - `src/utils/helpers.js` `createValidationMiddleware`: Joi with `stripUnknown: true`.
 * - `src/controllers/webhook.controller.js` `handleMessageStatus`: Prisma `update` by its own message
 *   id; an id it never stored (every id of ours) → P2025 → 404.
 */
import { get as httpGet } from 'node:http';

export interface Window {
  limit: number;
  windowMs: number;
}

export interface RateLimits {
  /** `apiLimiter`, on every request. */
  api: Window;
  /** `sessionLimiter`, shared by the webhooks. */
  webhooks: Window;
}

/** The numbers the real backend runs with. */
export const WHATSAM_LIMITS: RateLimits = {
  api: { limit: 1000, windowMs: 15 * 60_000 },
  webhooks: { limit: 60, windowMs: 60_000 },
};

export interface Realism {
  /** Both limiters; `true` = `WHATSAM_LIMITS`. */
  rateLimits?: RateLimits | true;
  /** Registration probes `${endpoint}/health` (5 s) and answers 503 when it is not a 200. */
  probeHealth?: boolean;
  /** Registration answers 409 on an endpoint or worker id held by another registration. */
  conflicts?: boolean;
  /** Unknown fields are stripped (recorded in `RecordedCall.stripped`) instead of refused. */
  stripUnknown?: boolean;
  /** message-status answers 404 for every message id not in `knownMessages`. */
  unknownMessages?: boolean;
}

/** Everything on, with the real limits. */
export const REAL_WHATSAM: Required<Realism> = { rateLimits: true, probeHealth: true, conflicts: true, stripUnknown: true, unknownMessages: true };

export interface LimitResult {
  allowed: boolean;
  headers: Record<string, string>;
}

/** express-rate-limit 7's MemoryStore: one fixed window per key from its first hit (pure: time as an argument). */
export class FixedWindowLimiter {
  private readonly clients = new Map<string, { hits: number; resetAt: number }>();

  constructor(
    readonly window: Window,
    private readonly headerStyle: 'draft-6' | 'legacy',
  ) {}

  hit(key: string, nowMs: number): LimitResult {
    let c = this.clients.get(key);
    if (!c || c.resetAt <= nowMs) {
      c = { hits: 0, resetAt: nowMs + this.window.windowMs };
      this.clients.set(key, c);
    }
    c.hits += 1;
    const remaining = Math.max(0, this.window.limit - c.hits);
    const resetSeconds = Math.max(0, Math.ceil((c.resetAt - nowMs) / 1000));
    const headers: Record<string, string> =
      this.headerStyle === 'draft-6'
        ? {
            'RateLimit-Policy': `${this.window.limit};w=${Math.ceil(this.window.windowMs / 1000)}`,
            'RateLimit-Limit': String(this.window.limit),
            'RateLimit-Remaining': String(remaining),
            ...(resetSeconds > 0 ? { 'RateLimit-Reset': String(resetSeconds) } : {}),
          }
        : { 'X-RateLimit-Limit': String(this.window.limit), 'X-RateLimit-Remaining': String(remaining), 'X-RateLimit-Reset': String(Math.ceil(c.resetAt / 1000)) };
    const allowed = c.hits <= this.window.limit;
    if (!allowed) headers['Retry-After'] = String(resetSeconds);
    return { allowed, headers };
  }
}

/** The bodies its two limiters answer a 429 with (their `handler`s). */
export const LIMITED_BODY = {
  api: { success: false, error: 'Too many requests from this IP, please try again later' },
  webhooks: { success: false, error: 'Session operation rate limit exceeded' },
} as const;

/** Its `normalizeWorkerId`. */
export function normalizeWorkerId(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/_/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export interface ProbeRecord {
  endpoint: string;
  /** HTTP status, or the transport error code when there was no answer. */
  outcome: number | string;
  at: number;
}

/**
 * Its `testWorkerConnectivity` (axios over node:http, so any port works, unlike fetch): null when
 * the worker answered 200, else the message of its 503.
 */
export async function probeWorkerHealth(endpoint: string, record: (p: ProbeRecord) => void): Promise<string | null> {
  const at = Date.now();
  const outcome = await new Promise<number | string>((resolve) => {
    const req = httpGet(`${endpoint}/health`, { headers: { 'User-Agent': 'WhatsApp-Gateway-Backend/1.0' }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout of 5000ms exceeded'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  record({ endpoint, outcome, at });
  if (outcome === 200) return null;
  if (typeof outcome === 'number') return `Worker endpoint returned error ${outcome}: ${endpoint}. Please check worker service health.`;
  if (outcome === 'ECONNREFUSED') return `Worker endpoint is not reachable: ${endpoint}. Please check if the worker service is running.`;
  if (outcome === 'ETIMEDOUT') return `Connection timeout to worker endpoint: ${endpoint}. Please check network connectivity.`;
  if (outcome === 'ENOTFOUND') return `Worker endpoint not found: ${endpoint}. Please verify the endpoint URL.`;
  return `Worker connectivity failed: ${outcome}`;
}
