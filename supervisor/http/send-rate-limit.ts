/**
 * Per-session send rate limit (issue 16 §4): one runaway client cannot make a number send fast
 * enough to get it banned. A token bucket per session (supervisor/policy/token-bucket.ts),
 * `SEND_RATE_LIMIT_PER_MINUTE` sustained and `SEND_RATE_LIMIT_BURST` at once; 0 per minute turns it
 * off. It wraps `SessionCommands.send`, so every route that sends (canonical and aliases) is
 * limited in one place. Over the limit: 429 `RATE_LIMITED` with `Retry-After` (seconds). An attempt
 * that never reached the host (unknown or not connected session, bad input, refused media) and an
 * idempotent replay give their token back.
 */
import { giveBack, isFull, take, type TokenBucketSettings, type TokenBucketState } from '../policy/token-bucket.js';
import type { WorkerErrorCode } from '../../src/error-codes.js';
import { WorkerError } from '../../src/errors.js';
import { MEDIA_ERROR_STATUS, type MediaErrorCode } from '../../src/media/media-errors.js';
import type { SessionCommands } from './routes/api-deps.js';
import { HttpError } from './http-error.js';

/** Codes of a send that did not reach WhatsApp (media refused or not fetched included): the token is returned. */
const NOT_SENT: ReadonlySet<string> = new Set<WorkerErrorCode>([
  'SESSION_NOT_FOUND', 'SESSION_NOT_CONNECTED', 'NOT_CONNECTED', 'HOST_NOT_RUNNING', 'HOST_EXITED', 'HOST_CHANNEL_CLOSED',
  'INVALID_RECIPIENT', 'RECIPIENT_NOT_ON_WHATSAPP', 'INVALID_MESSAGE', 'INVALID_SESSION_ID', ...(Object.keys(MEDIA_ERROR_STATUS) as MediaErrorCode[]),
]);
/** Full buckets are dropped every this many takes, so memory follows the sessions that send. */
const SWEEP_EVERY = 256;

export class SendRateLimiter {
  private readonly buckets = new Map<string, TokenBucketState>();
  private takes = 0;

  constructor(
    readonly settings: TokenBucketSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.settings.perMinute > 0;
  }

  /** Takes a token for `sessionId`, or throws 429 `RATE_LIMITED` with the wait in seconds. */
  take(sessionId: string): void {
    if (!this.enabled) return;
    const nowMs = this.now();
    if (++this.takes % SWEEP_EVERY === 0) this.sweep(nowMs);
    const result = take(this.buckets.get(sessionId), this.settings, nowMs);
    this.buckets.set(sessionId, result.state);
    if (result.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new HttpError(
      429,
      'RATE_LIMITED',
      `session ${sessionId} may send ${this.settings.perMinute} messages a minute (bursts of ${this.settings.burst}); retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    );
  }

  giveBack(sessionId: string): void {
    const state = this.buckets.get(sessionId);
    if (state) this.buckets.set(sessionId, giveBack(state, this.settings));
  }

  /** Buckets held (tests: memory stays bounded). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    for (const [id, state] of this.buckets) if (isFull(state, this.settings, nowMs)) this.buckets.delete(id);
  }
}

/** `commands` with every send counted against its session's bucket first. */
export function limitSends(commands: SessionCommands, limiter: SendRateLimiter): SessionCommands {
  if (!limiter.enabled) return commands;
  return {
    ...commands,
    send: async (sessionId, to, message, idempotencyKey) => {
      limiter.take(sessionId);
      try {
        const result = await commands.send(sessionId, to, message, idempotencyKey);
        // A replay (same Idempotency-Key) answers the first outcome and sends nothing.
        if (result.replayed === true) limiter.giveBack(sessionId);
        return result;
      } catch (err) {
        if (err instanceof WorkerError && NOT_SENT.has(err.code)) limiter.giveBack(sessionId);
        throw err;
      }
    },
  };
}
