import { WorkerError } from '../../src/errors.js';
import type { FailureReason } from '../../src/status.js';

/**
 * Why a tunnel through the session's proxy could not be made (pure; no socket code here).
 * `PROXY_UNREACHABLE`: the proxy did not answer (refused, timed out, closed, TLS to it failed).
 * `PROXY_REFUSED`: it answered and said no (HTTP status other than 200 — 407 wrong credentials,
 * 403, 502 —, a SOCKS authentication failure or a rejected SOCKS request).
 * The message names the proxy only in its redacted form.
 */
export type ProxyFailureCode = 'PROXY_UNREACHABLE' | 'PROXY_REFUSED';

const SOCKS_REFUSALS = ['Socks5 Authentication failed', 'Socks5 proxy rejected connection', 'no accepted authentication type'];

export function proxyFailure(code: ProxyFailureCode, shown: string, cause: unknown, what?: string): WorkerError {
  const detail = what ?? causeText(cause);
  return new WorkerError(code, `proxy ${shown} ${code === 'PROXY_REFUSED' ? 'refused the tunnel' : 'unreachable'}: ${detail}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { proxy: shown },
  });
}

/** A SOCKS error that is the proxy's answer (not a failure to reach it). */
export function socksRefusal(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? '';
  return SOCKS_REFUSALS.some((m) => message.includes(m));
}

/** The session reason for a close whose cause was the proxy, else undefined. */
export function proxyReasonOf(error: unknown): Extract<FailureReason, 'proxy_unreachable' | 'proxy_refused'> | undefined {
  // Baileys wraps the WebSocket's error in a Boom whose `data` is the original error.
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'PROXY_UNREACHABLE') return 'proxy_unreachable';
    if (code === 'PROXY_REFUSED') return 'proxy_refused';
    e = (e as { data?: unknown }).data ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function causeText(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = (cause as Error | undefined)?.message ?? String(cause);
  return (typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message).slice(0, 200);
}
