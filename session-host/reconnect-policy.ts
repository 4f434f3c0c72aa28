import { backoffDelay, type Backoff, type RandomSource } from '../src/backoff.js';
import type { FailureReason } from '../src/status.js';

/**
 * What a session host does when its Baileys socket closes (design.md §6). Pure: the caller feeds
 * the close code and what it knows, and carries out the answer. Unit-tested without sockets.
 */
export type CloseAction =
  /** 515 after pairing: WhatsApp asks for a fresh socket at once. */
  | { kind: 'restart-now' }
  /**
   * Transient (428, 408, 503, network, 500 within its bound, the session's proxy): new socket after
   * a backoff, same process. `reason`: shown with `reconnecting` (the proxy's failure).
   */
  | { kind: 'reconnect'; reason?: FailureReason }
  /** 401: the device is revoked; delete auth, exit "logged out". */
  | { kind: 'logged-out' }
  /** 440: another client took over; exit "replaced", never fight back. */
  | { kind: 'replaced' }
  /** Needs a human (500 past its bound, 411, QR cap, 403 forbidden, untrusted server); auth is kept. */
  | { kind: 'failed'; reason: FailureReason }
  /** We closed it ourselves (stop, logout, orphan guard): nothing to do. */
  | { kind: 'none' };

export interface CloseContext {
  /** Baileys' `lastDisconnect.error.output.statusCode`; undefined when the error had none. */
  code: number | undefined;
  /** True when the host itself ended the socket. */
  intentional: boolean;
  /** The server failed certificate verification (wa-trust/install.ts): never reconnect to it. */
  untrustedServer?: boolean;
  /** The tunnel through the session's proxy could not be made (session-host/proxy/proxy-failure.ts). */
  proxyFailure?: 'proxy_unreachable' | 'proxy_refused' | undefined;
  /** Whether the device is paired (`creds.me` known). */
  paired: boolean;
  /** QR codes shown so far in this host, and the cap. */
  qrShown: number;
  qrMax: number;
  /** 500 closes since the last `open`, this one included (see `nextBadSessions`). */
  badSessions: number;
  /** BAD_SESSION_MAX_ATTEMPTS: reconnects after 500 without an `open` before the session fails. */
  badSessionMax: number;
}

/** Default of BAD_SESSION_MAX_ATTEMPTS when `init` does not carry it. */
export const DEFAULT_BAD_SESSION_MAX = 5;

export const CLOSE = {
  LOGGED_OUT: 401,
  FORBIDDEN: 403,
  TIMED_OUT: 408,
  MULTIDEVICE_MISMATCH: 411,
  CONNECTION_CLOSED: 428,
  REPLACED: 440,
  BAD_SESSION: 500,
  UNAVAILABLE: 503,
  RESTART_REQUIRED: 515,
} as const;

export function decideOnClose(ctx: CloseContext): CloseAction {
  if (ctx.intentional) return { kind: 'none' };
  // A server that cannot prove it is WhatsApp gets no second try (no reconnect storm, no QR).
  if (ctx.untrustedServer) return { kind: 'failed', reason: 'untrusted_server' };
  // The proxy, not WhatsApp, said no: WhatsApp never judged the session, so no code applies and
  // no bad-session count grows; it heals when the proxy does (or its setting changes).
  if (ctx.proxyFailure) return { kind: 'reconnect', reason: ctx.proxyFailure };
  switch (ctx.code) {
    case CLOSE.RESTART_REQUIRED:
      return { kind: 'restart-now' };
    case CLOSE.LOGGED_OUT:
      return { kind: 'logged-out' };
    case CLOSE.REPLACED:
      return { kind: 'replaced' };
    case CLOSE.BAD_SESSION:
      // Baileys uses 500 for a really bad session but also for transient WebSocket/TLS errors
      // (`getCodeFromWSError`) and unknown stream errors: retry, but not forever without an open.
      return ctx.badSessions > ctx.badSessionMax ? { kind: 'failed', reason: 'bad_session' } : { kind: 'reconnect' };
    case CLOSE.MULTIDEVICE_MISMATCH:
      return { kind: 'failed', reason: 'multidevice_mismatch' };
    case CLOSE.FORBIDDEN:
      // Banned or blocked account: reconnecting would only hammer WhatsApp; a human must look.
      return { kind: 'failed', reason: 'forbidden' };
    case CLOSE.TIMED_OUT:
      // Baileys closes with 408 when the QR refs of one socket run out; past the cap that is the end.
      if (!ctx.paired && ctx.qrShown >= ctx.qrMax) return { kind: 'failed', reason: 'qr_timeout' };
      return { kind: 'reconnect' };
    default:
      // 428, 503, network errors (Baileys maps them to 408/500-less codes) and anything unknown.
      return { kind: 'reconnect' };
  }
}

/**
 * The 500 count after a close with `code`; the connection sets it back to 0 on `open`. A close the
 * proxy caused (Baileys reports it as 500 too) does not count: WhatsApp was never reached.
 */
export function nextBadSessions(count: number, code: number | undefined, proxyFailure?: string): number {
  return code === CLOSE.BAD_SESSION && proxyFailure === undefined ? count + 1 : count;
}

/**
 * 1 s doubling to 30 s; 40 % of each wait is random, so hosts dropped together (a network blip)
 * do not all come back in the same instant.
 */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, jitter: 0.4 };

/** Delay before reconnect attempt `attempt` (1-based) on the worker's one backoff formula. */
export function reconnectDelay(attempt: number, settings: Backoff = DEFAULT_BACKOFF, random: RandomSource = Math.random): number {
  return backoffDelay(Math.max(1, Math.floor(attempt)), settings, random);
}

/** Close code of Baileys' `lastDisconnect.error` (a Boom), if any. */
export function closeCodeOf(error: unknown): number | undefined {
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined;
}
