/**
 * A token bucket (the send rate limit of one session). Pure: the caller owns the state and passes
 * the time. A bucket starts full (`burst` tokens) and refills continuously at `perMinute`; a take
 * needs one whole token. When it is empty the answer says how long until the next token exists.
 */
export interface TokenBucketSettings {
  /** Sustained rate: tokens added per minute. */
  perMinute: number;
  /** Capacity: how many takes may happen at once after a quiet spell. */
  burst: number;
}

export interface TokenBucketState {
  tokens: number;
  atMs: number;
}

export type TakeResult =
  | { allowed: true; state: TokenBucketState }
  | { allowed: false; state: TokenBucketState; retryAfterMs: number };

/** The bucket's content at `nowMs` (never above `burst`; a clock that went back adds nothing). */
export function refill(state: TokenBucketState | undefined, settings: TokenBucketSettings, nowMs: number): TokenBucketState {
  if (!state) return { tokens: settings.burst, atMs: nowMs };
  const elapsed = Math.max(0, nowMs - state.atMs);
  return { tokens: Math.min(settings.burst, state.tokens + (elapsed * settings.perMinute) / 60_000), atMs: Math.max(nowMs, state.atMs) };
}

export function take(state: TokenBucketState | undefined, settings: TokenBucketSettings, nowMs: number): TakeResult {
  const now = refill(state, settings, nowMs);
  if (now.tokens >= 1) return { allowed: true, state: { tokens: now.tokens - 1, atMs: now.atMs } };
  return { allowed: false, state: now, retryAfterMs: Math.ceil(((1 - now.tokens) * 60_000) / settings.perMinute) };
}

/** Gives back a token taken for an attempt that never reached WhatsApp. */
export function giveBack(state: TokenBucketState, settings: TokenBucketSettings): TokenBucketState {
  return { tokens: Math.min(settings.burst, state.tokens + 1), atMs: state.atMs };
}

/** Whether a bucket is full at `nowMs` (it can be forgotten: a new one starts full). */
export function isFull(state: TokenBucketState, settings: TokenBucketSettings, nowMs: number): boolean {
  return refill(state, settings, nowMs).tokens >= settings.burst;
}
