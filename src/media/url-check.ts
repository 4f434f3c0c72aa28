import { literalHostVerdict, type AddressVerdict } from './address-policy.js';
import { mediaError } from './media-errors.js';

/** Pure: the URL as a fetch may use it — http(s) with a host, nothing else (MEDIA_URL_INVALID). */
export function parseMediaUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw mediaError('MEDIA_URL_INVALID', 'media url is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw mediaError('MEDIA_URL_INVALID', `media url must be http or https, not ${parsed.protocol.slice(0, 16)}`);
  if (!parsed.hostname) throw mediaError('MEDIA_URL_INVALID', 'media url has no host');
  return parsed;
}

/** Pure: throws MEDIA_URL_BLOCKED when a verdict refuses. */
export function assertAllowed(verdict: AddressVerdict, host: string): void {
  if (!verdict.allowed) {
    throw mediaError('MEDIA_URL_BLOCKED', `media url host ${host.slice(0, 100)} is a ${verdict.range} address; set MEDIA_ALLOW_PRIVATE_URLS=true to allow it`, { range: verdict.range });
  }
}

/**
 * Pure: what can be judged without DNS — the scheme, and a host that is an address or a loopback
 * name. The API runs it before a send reaches a host; names are judged by the host's fetcher when
 * it resolves them (and every redirect again).
 */
export function checkMediaUrl(url: string, allowPrivate: boolean): void {
  const parsed = parseMediaUrl(url);
  if (allowPrivate) return;
  const verdict = literalHostVerdict(parsed.hostname);
  if (verdict) assertAllowed(verdict, parsed.hostname);
}
