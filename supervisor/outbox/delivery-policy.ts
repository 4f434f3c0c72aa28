/**
 * What one delivery attempt means for the event (pure: time arrives as an argument).
 *
 * - 2xx: delivered.
 * - 429: throttled — the lane waits for `Retry-After` (or its backoff) and tries the same event
 *   again; never counted against the event, never a drop.
 * - no answer (timeout, connection refused), 408, 5xx, and 401/403 (the worker's credentials are
 *   wrong, not the event): retried with capped backoff for as long as the outbox quota allows.
 * - 404 on a route whose profile says "unknown message" (whatsam's message-status): counted and
 *   settled, never retried — the backend will never know that message.
 * - any other 4xx: the backend rejected this event. Retried `rejectRetries` times in all (a
 *   backend mid-deploy can answer 400 briefly), then moved to the dead-letter store.
 */
export type AttemptOutcome =
  | { kind: 'answered'; status: number; retryAfter?: string | undefined }
  | { kind: 'no-answer'; code: string };

export type Decision =
  | { action: 'delivered' }
  | { action: 'unknown'; status: number }
  | { action: 'throttled'; delayMs: number }
  | { action: 'retry'; delayMs: number; rejected: boolean; reason: string }
  | { action: 'dead'; reason: string };

export interface PolicyContext {
  /** Transient failures of this event so far, this one included (drives the backoff). */
  attempt: number;
  /** 4xx rejections of this event before this attempt (stored with the event). */
  rejections: number;
  rejectRetries: number;
  /** 404 settles the event as an unknown message (no retry). */
  unknownOn404: boolean;
  backoffMs: (attempt: number) => number;
  nowMs: number;
  /** Longest wait a Retry-After may impose (a broken header must not park a lane for a day). */
  maxRetryAfterMs: number;
}

export function decide(outcome: AttemptOutcome, ctx: PolicyContext): Decision {
  if (outcome.kind === 'no-answer') return { action: 'retry', delayMs: ctx.backoffMs(ctx.attempt), rejected: false, reason: outcome.code };
  const { status } = outcome;
  if (status >= 200 && status < 300) return { action: 'delivered' };
  if (status === 429) {
    const after = parseRetryAfter(outcome.retryAfter, ctx.nowMs);
    return { action: 'throttled', delayMs: Math.min(after ?? ctx.backoffMs(ctx.attempt), ctx.maxRetryAfterMs) };
  }
  if (status === 404 && ctx.unknownOn404) return { action: 'unknown', status };
  if (status >= 500 || status === 408 || status === 401 || status === 403 || status < 200 || (status >= 300 && status < 400)) {
    return { action: 'retry', delayMs: ctx.backoffMs(ctx.attempt), rejected: false, reason: `HTTP ${status}` };
  }
  // 4xx: the event itself was refused.
  if (ctx.rejections + 1 >= ctx.rejectRetries) return { action: 'dead', reason: `HTTP ${status}` };
  return { action: 'retry', delayMs: ctx.backoffMs(ctx.attempt), rejected: true, reason: `HTTP ${status}` };
}

/** `Retry-After` as delay-seconds or an HTTP date → ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
