import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { WorkerError } from '../errors.js';
import { addressVerdict, literalHostVerdict, type AddressVerdict } from './address-policy.js';
import { mediaError } from './media-errors.js';
import { assertAllowed, parseMediaUrl } from './url-check.js';

/** Every address a host name resolves to (the test seam for a DNS stub). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export interface MediaFetchLimits {
  /** Largest body accepted (MEDIA_MAX_BYTES). */
  maxBytes: number;
  /** Deadline for the whole fetch, redirects included (MEDIA_FETCH_TIMEOUT_MS). */
  timeoutMs: number;
  /** MEDIA_ALLOW_PRIVATE_URLS: loopback, private, link-local, CGNAT and metadata addresses allowed. */
  allowPrivate: boolean;
}

export interface MediaFetchOptions extends MediaFetchLimits {
  maxRedirects?: number;
  resolve?: ResolveAll;
  /** Which addresses count as private; tests that need a stand-in "public" server replace it. */
  verdict?: (address: string) => AddressVerdict;
  /**
   * A proxy agent (issue 19 §2: WhatsApp's media host through the session's proxy). The proxy
   * resolves and connects, so no address can be checked here: only with `allowPrivate`.
   */
  agent?: http.Agent;
}

export interface FetchedMedia {
  data: Buffer;
  /** The server's Content-Type, without parameters; undefined when absent. */
  contentType: string | undefined;
  /** The URL the bytes finally came from (after redirects). */
  url: string;
}

const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * Fetches a caller's media URL for sending (issue 16 §3): http(s) only; every hop's host checked —
 * a literal address before connecting, a name inside the socket's own `lookup`, so the connection
 * goes to exactly the address that was checked (no second resolution a DNS rebinding could
 * answer differently); redirects followed by hand and each one checked again; the body bounded by
 * `maxBytes` (Content-Length first, then counted) and the whole exchange by `timeoutMs`.
 * No keep-alive agent: a pooled socket could skip the check.
 */
export async function fetchMedia(url: string, options: MediaFetchOptions): Promise<FetchedMedia> {
  if (options.agent && !options.allowPrivate) throw new WorkerError('MEDIA_PROXY_UNCHECKED', 'a media fetch through a proxy cannot check addresses; only for WhatsApp-named hosts');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    let current = parseMediaUrl(url);
    for (let hop = 0; ; hop++) {
      const outcome = await oneHop(current, options, controller.signal);
      if ('data' in outcome) return outcome;
      if (hop >= (options.maxRedirects ?? DEFAULT_MAX_REDIRECTS)) throw mediaError('MEDIA_FETCH_FAILED', `more than ${options.maxRedirects ?? DEFAULT_MAX_REDIRECTS} redirects`);
      current = parseMediaUrl(new URL(outcome.location, current).toString());
    }
  } catch (err) {
    // The deadline aborts the request; the socket reports that as a plain fetch failure.
    if (controller.signal.aborted && (err as WorkerError).code === 'MEDIA_FETCH_FAILED') {
      throw mediaError('MEDIA_FETCH_TIMEOUT', `fetching the media took longer than ${options.timeoutMs} ms`);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

type HopOutcome = FetchedMedia | { location: string };

function oneHop(url: URL, options: MediaFetchOptions, signal: AbortSignal): Promise<HopOutcome> {
  const verdict = options.verdict ?? addressVerdict;
  if (!options.allowPrivate) {
    // A literal address (or a loopback name) is never looked up: judged here, before connecting.
    const literal = literalHostVerdict(url.hostname);
    const bare = url.hostname.replace(/^\[|\]$/g, '');
    if (literal) assertAllowed(options.verdict && isIP(bare) ? options.verdict(bare) : literal, url.hostname);
  }
  const lookup = guardedLookup(options.resolve ?? systemResolve, options.allowPrivate ? () => ({ allowed: true }) : verdict);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<HopOutcome>((resolve, reject) => {
    const req = lib.request(url, { method: 'GET', ...(options.agent ? { agent: options.agent } : { agent: false, lookup }), signal, headers: { accept: '*/*', 'user-agent': 'wa-gateway-worker' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        resolve({ location: res.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(mediaError('MEDIA_FETCH_FAILED', `the media server answered ${status}`, { status }));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        res.destroy();
        reject(tooLarge(options.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          res.destroy();
          reject(tooLarge(options.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => reject(asFetchError(err)));
      res.on('end', () => resolve({ data: Buffer.concat(chunks, size), contentType: res.headers['content-type']?.split(';')[0]?.trim().toLowerCase() || undefined, url: url.toString() }));
    });
    req.on('error', (err) => reject(asFetchError(err)));
    req.end();
  });
}

/**
 * The socket's `lookup`: resolves once, refuses when any address is not allowed, and hands the
 * socket only checked addresses (all of them when Node asks for all, for happy eyeballs).
 */
function guardedLookup(resolve: ResolveAll, verdict: (address: string) => AddressVerdict): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) throw mediaError('MEDIA_FETCH_FAILED', `${hostname.slice(0, 100)} has no address`);
        for (const a of addresses) assertAllowed(verdict(a.address), `${hostname.slice(0, 100)} (${a.address})`);
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all) (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
    ).catch((err: unknown) => callback(err as NodeJS.ErrnoException, '', 0));
  };
}

function tooLarge(maxBytes: number): WorkerError {
  return mediaError('MEDIA_TOO_LARGE', `the media is larger than MEDIA_MAX_BYTES (${maxBytes} bytes)`, { maxBytes });
}

function asFetchError(err: unknown): WorkerError {
  if (err instanceof WorkerError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'ABORT_ERR' || (err as Error).name === 'AbortError') return mediaError('MEDIA_FETCH_FAILED', 'the fetch was aborted');
  return mediaError('MEDIA_FETCH_FAILED', `could not fetch the media: ${code ?? (err as Error).message ?? String(err)}`.slice(0, 200));
}
