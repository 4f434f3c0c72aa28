import { WorkerError } from '../errors.js';

/**
 * A session's egress proxy (issue 19 §2): `http://`, `https://` (HTTP CONNECT; TLS to the proxy for
 * https), `socks5://` (names resolved here) or `socks5h://` (names resolved by the proxy), with
 * optional `user:password@`. Pure: parsing, validation and the redacted form shown everywhere a
 * URL could be seen (API answers, logs, events). The full URL with credentials only travels in the
 * host's `init` message and sits in `DATA_DIR/session-settings.json`.
 */
export const PROXY_SCHEMES = ['http', 'https', 'socks5', 'socks5h'] as const;
export type ProxyScheme = (typeof PROXY_SCHEMES)[number];

export interface ProxyUrl {
  scheme: ProxyScheme;
  /** Host name or address as in the URL (IPv6 without brackets). */
  host: string;
  port: number;
  username: string | null;
  hasPassword: boolean;
  /** Normalised full URL, credentials included (never shown). */
  url: string;
  /** `scheme://user:***@host:port` — the only form that is ever shown. */
  redacted: string;
}

const MAX_LENGTH = 2048;

/** Throws `PROXY_URL_INVALID` (details.problem says what is wrong, never the credentials). */
export function parseProxyUrl(raw: unknown): ProxyUrl {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid('expected a URL such as http://user:password@host:port or socks5://host:port');
  const text = raw.trim();
  if (text.length > MAX_LENGTH) throw invalid(`at most ${MAX_LENGTH} characters`);
  // A control character or space would let a header or a log line be forged.
  if (/[\s\u0000-\u001f\u007f]/.test(text)) throw invalid('no spaces or control characters');
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw invalid('not a URL; expected scheme://[user:password@]host:port');
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) throw invalid(`scheme ${scheme.slice(0, 20)} is not allowed; expected one of ${PROXY_SCHEMES.join(', ')}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw invalid('a host is required');
  // Node's URL leaves the default port of http/https empty: a proxy port must be said explicitly.
  const explicitPort = /^[a-z0-9]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d{1,5})(?:\/)?$/i.exec(text)?.[1];
  if (explicitPort === undefined) throw invalid('a port is required (scheme://host:port, nothing after it)');
  const port = Number(explicitPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('the port must be 1-65535');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') throw invalid('no path, query or fragment after host:port');
  const username = parsed.username === '' ? null : parsed.username;
  const hasPassword = parsed.password !== '';
  if (hasPassword && username === null) throw invalid('a password needs a user name');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const auth = username === null ? '' : `${username}${hasPassword ? `:${parsed.password}` : ''}@`;
  const shownAuth = username === null ? '' : `${username}${hasPassword ? ':***' : ''}@`;
  return {
    scheme: scheme as ProxyScheme,
    host,
    port,
    username,
    hasPassword,
    url: `${scheme}://${auth}${hostPart}:${port}`,
    redacted: `${scheme}://${shownAuth}${hostPart}:${port}`,
  };
}

/** The shown form of a stored (already valid) URL; anything unparsable shows as `<invalid>`. */
export function redactProxyUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  try {
    return parseProxyUrl(url).redacted;
  } catch {
    return '<invalid>';
  }
}

function invalid(problem: string): WorkerError {
  return new WorkerError('PROXY_URL_INVALID', `invalid proxy URL: ${problem}`, { details: { problem } });
}

/** What the API shows of a session's proxy: the redacted URL and whether it is its own or WA_PROXY_URL. */
export interface SessionProxyView {
  url: string;
  source: 'session' | 'default';
}

/** The proxy a session's host uses: its own, else the worker's default, else none (direct). */
export function effectiveProxy(own: string | undefined, fallback: string | undefined): { url: string; view: SessionProxyView } | null {
  const url = own ?? fallback;
  if (url === undefined) return null;
  return { url, view: { url: redactProxyUrl(url) ?? '<invalid>', source: own === undefined ? 'default' : 'session' } };
}
