import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressVerdict } from '../../src/media/address-policy.js';
import { fetchMedia, type MediaFetchOptions } from '../../src/media/fetch-media.js';

/**
 * The media fetcher against real HTTP servers on loopback (issue 16 §3). Each refusal is checked
 * with a request counter: a refused fetch never reached the server.
 */
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
let server: Server;
let port: number;
let hits = 0;
let stand: Server; // stands in for a public CDN on 127.0.0.2
let standPort: number;

function listen(s: Server, host: string): Promise<number> {
  return new Promise((resolve) => s.listen(0, host, () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/img.png') return void res.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end(PNG);
    if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(4096));
    if (req.url === '/big-chunked') {
      // no Content-Length: the limit must be enforced while counting
      res.writeHead(200);
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024));
      return void res.end();
    }
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
    if (req.url === '/missing') return void res.writeHead(404).end();
    if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    res.writeHead(500).end();
  });
  port = await listen(server, '127.0.0.1');
  stand = createServer((req, res) => {
    if (req.url === '/to-loopback') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/img.png` }).end();
    if (req.url === '/to-localhost') return void res.writeHead(301, { location: `http://localhost:${port}/img.png` }).end();
    if (req.url === '/to-metadata') return void res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/relative') return void res.writeHead(302, { location: '/img.png' }).end();
    if (req.url === '/img.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    res.writeHead(404).end();
  });
  standPort = await listen(stand, '127.0.0.2');
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => stand.close(r));
});

const limits = { maxBytes: 2048, timeoutMs: 1_000, allowPrivate: false };
// 127.0.0.2 plays a public server; every other address is judged by the real policy.
const standInPublic: MediaFetchOptions['verdict'] = (ip) => (ip === '127.0.0.2' ? { allowed: true } : addressVerdict(ip));

async function refused(url: string, options: Partial<MediaFetchOptions> = {}) {
  const before = hits;
  const err = await fetchMedia(url, { ...limits, ...options }).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  return { err, reachedLoopbackServer: hits > before };
}

describe('refused before any byte is read', () => {
  it('a proxy agent without MEDIA_ALLOW_PRIVATE_URLS → MEDIA_PROXY_UNCHECKED (the proxy would resolve names unchecked; issue 19 §2)', async () => {
    const { err, reachedLoopbackServer } = await refused(`http://127.0.0.1:${port}/img.png`, { agent: new Agent() });
    expect(err?.code).toBe('MEDIA_PROXY_UNCHECKED');
    expect(reachedLoopbackServer).toBe(false);
  });

  it.each([
    [`http://127.0.0.1:PORT/img.png`, 'loopback'],
    ['http://10.0.0.1/img.png', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://[::1]:PORT/img.png', 'loopback'],
    ['http://localhost:PORT/img.png', 'loopback'],
    ['http://100.64.1.1/x', 'cgnat'],
  ])('%s → MEDIA_URL_BLOCKED (%s)', async (url, range) => {
    const { err, reachedLoopbackServer } = await refused(url.replace('PORT', String(port)));
    expect(err?.code).toBe('MEDIA_URL_BLOCKED');
    expect(err?.message).toContain(range);
    expect(err?.message).toContain('MEDIA_ALLOW_PRIVATE_URLS');
    expect(reachedLoopbackServer).toBe(false);
  });

  it('a public-looking name that resolves to loopback (DNS stub) → MEDIA_URL_BLOCKED', async () => {
    const resolve = async (name: string) => {
      expect(name).toBe('cdn.example.com');
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const { err, reachedLoopbackServer } = await refused(`http://cdn.example.com:${port}/img.png`, { resolve });
    expect(err?.code).toBe('MEDIA_URL_BLOCKED');
    expect(err?.message).toContain('127.0.0.1');
    expect(reachedLoopbackServer).toBe(false);
  });

  it('a name with one public and one private address → refused', async () => {
    const resolve = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }];
    expect((await refused(`http://mixed.example.com:${port}/img.png`, { resolve })).err?.code).toBe('MEDIA_URL_BLOCKED');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x', 'not a url'])('%s → MEDIA_URL_INVALID', async (url) => {
    expect((await refused(url)).err?.code).toBe('MEDIA_URL_INVALID');
  });
});

describe('redirects are checked again, hop by hop', () => {
  it.each(['/to-loopback', '/to-localhost', '/to-metadata'])('a "public" server redirecting %s → MEDIA_URL_BLOCKED', async (path) => {
    const { err, reachedLoopbackServer } = await refused(`http://127.0.0.2:${standPort}${path}`, { verdict: standInPublic });
    expect(err?.code).toBe('MEDIA_URL_BLOCKED');
    expect(reachedLoopbackServer).toBe(false);
  });

  it('a redirect to an allowed place is followed', async () => {
    const got = await fetchMedia(`http://127.0.0.2:${standPort}/relative`, { ...limits, verdict: standInPublic });
    expect(got.data.equals(PNG)).toBe(true);
    expect(got.url).toBe(`http://127.0.0.2:${standPort}/img.png`);
  });

  it('a redirect loop ends with MEDIA_FETCH_FAILED', async () => {
    expect((await refused(`http://127.0.0.1:${port}/loop`, { allowPrivate: true })).err?.code).toBe('MEDIA_FETCH_FAILED');
  });
});

describe('limits', () => {
  it('a body over MEDIA_MAX_BYTES (declared length) → MEDIA_TOO_LARGE', async () => {
    expect((await refused(`http://127.0.0.1:${port}/big`, { allowPrivate: true })).err?.code).toBe('MEDIA_TOO_LARGE');
  });
  it('a body over MEDIA_MAX_BYTES (chunked, counted) → MEDIA_TOO_LARGE', async () => {
    expect((await refused(`http://127.0.0.1:${port}/big-chunked`, { allowPrivate: true })).err?.code).toBe('MEDIA_TOO_LARGE');
  });
  it('a server slower than the deadline → MEDIA_FETCH_TIMEOUT', async () => {
    const started = Date.now();
    expect((await refused(`http://127.0.0.1:${port}/slow`, { allowPrivate: true, timeoutMs: 300 })).err?.code).toBe('MEDIA_FETCH_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_500);
  });
  it('an error answer → MEDIA_FETCH_FAILED with the status', async () => {
    const { err } = await refused(`http://127.0.0.1:${port}/missing`, { allowPrivate: true });
    expect(err?.code).toBe('MEDIA_FETCH_FAILED');
    expect(err?.message).toContain('404');
  });
});

describe('MEDIA_ALLOW_PRIVATE_URLS=true', () => {
  it('a loopback URL is fetched, bytes and content type intact', async () => {
    const got = await fetchMedia(`http://127.0.0.1:${port}/img.png`, { ...limits, allowPrivate: true });
    expect(got.data.equals(PNG)).toBe(true);
    expect(got.contentType).toBe('image/png');
  });
  it('the connection goes to the address that was checked (the stub), never a second lookup', async () => {
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const got = await fetchMedia(`http://media.invalid:${port}/img.png`, { ...limits, allowPrivate: true, resolve });
    expect(got.data.equals(PNG)).toBe(true);
    expect(lookups).toBe(1);
  });
});
