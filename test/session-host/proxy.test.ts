import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageInMessage, StatusMessage } from '../../src/ipc/protocol.js';
import type { SimMedia } from '../wa-sim/index.js';
import { startHttpProxy, startSocksProxy, type LoopbackProxy } from '../support/proxies/loopback-proxy.js';
import { makeMediaCert } from '../wa-sim/media-cert.js';
import { SimEnv } from './sim-env.js';

/**
 * A session's egress proxy in a real session host (issue 19 §2): real Baileys, the simulator, and
 * real proxies on loopback (HTTP CONNECT with Basic credentials, SOCKS5 with user/password). The
 * proxies record every tunnel asked of them; the simulator sees the client arrive. Nothing mocked.
 */
const AUTH = { user: 'op', password: 'Pr0xyS3cret' };
const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 13) % 256))]);
let env: SimEnv;
let http: LoopbackProxy;
let socks: LoopbackProxy;
let files: Server;
let filesUrl: string;
let n = 0;

beforeAll(async () => {
  env = await SimEnv.start();
  env.sim.registerContact('15550004444');
  http = await startHttpProxy(AUTH);
  socks = await startSocksProxy(AUTH);
  files = createServer((_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE));
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/img.png`;
});
afterEach(async () => {
  await env.cleanupHosts();
});
afterAll(async () => {
  await env?.close();
  await http?.close();
  await socks?.close();
  await new Promise((r) => files?.close(r));
});

const simTarget = () => new URL(env.sim.url).host;
const mediaTarget = () => env.sim.mediaServer.host;
const media = { allowPrivateUrls: true, maxBytes: 8 * 1024 * 1024, fetchTimeoutMs: 10_000 };

function nextSession(prefix: string) {
  n++;
  return { sessionId: `${prefix}-${n}`, phone: `1555030${String(1000 + n)}` };
}

describe('a session host behind its proxy', () => {
  it.each([
    ['HTTP CONNECT', () => http, () => http.url({ auth: AUTH })],
    ['SOCKS5 (socks5h)', () => socks, () => socks.url({ auth: AUTH })],
    ['SOCKS5 (socks5, names resolved by the host)', () => socks, () => socks.url({ auth: AUTH, scheme: 'socks5' })],
  ])('%s: the WebSocket, the media upload and the media download all go through it', async (_, proxy, url) => {
    const { sessionId, phone } = nextSession('via');
    const logins: string[] = [];
    env.sim.on('login', (l: { phone: string }) => logins.push(l.phone));
    const seen = proxy().targets.length;
    const h = env.host(sessionId, await env.tempDir(), { proxy: url(), media });
    await env.pair(h, phone);
    // The simulator saw the client log in, and it came through the proxy.
    expect(logins).toContain(phone);
    expect(proxy().targets.slice(seen)).toContain(simTarget());

    // Upload (Baileys' fetchAgent): the contact decrypts what reached the media host.
    const received = new Promise<SimMedia>((resolve) => env.sim.on('media', (m: SimMedia) => m.from === phone && resolve(m)));
    const beforeUpload = proxy().targets.length;
    const sent = await h.request({ type: 'send', to: '15550004444', message: { type: 'image', url: filesUrl } }, 40_000);
    expect(sent).toMatchObject({ ok: true, result: { status: 'sent' } });
    expect((await received).data.equals(IMAGE)).toBe(true);
    expect(proxy().targets.slice(beforeUpload)).toContain(mediaTarget());
    // The caller's own media URL is fetched directly (it is not WhatsApp traffic).
    expect(proxy().targets.slice(beforeUpload)).not.toContain(new URL(filesUrl).host);

    // Download of a contact's medium from WhatsApp's media host.
    const beforeDownload = proxy().targets.length;
    const [id] = await env.sim.deliverMedia('15550004444', phone, { type: 'image', data: IMAGE, mimetype: 'image/png' });
    const m = await h.waitFor((x): x is MessageInMessage => x.type === 'message-in' && x.messages.some((y) => y.id === id), 30_000);
    expect(m.messages.find((y) => y.id === id)?.media?.sha256).toBe(createHash('sha256').update(IMAGE).digest('hex'));
    expect(proxy().targets.slice(beforeDownload)).toContain(mediaTarget());

    // The credentials are in no line the host printed.
    expect(h.output.join('')).not.toContain(AUTH.password);
  });

  it('an https proxy (TLS to the proxy, then CONNECT): connected through it', async () => {
    // The proxy's own throw-away certificate, trusted by the host beside the simulator's media one.
    const cert = makeMediaCert();
    const dir = await env.tempDir();
    const bundle = join(dir, 'ca.pem');
    writeFileSync(bundle, Buffer.concat([readFileSync(env.sim.mediaServer.certPath), cert.cert]));
    const tlsProxy = await startHttpProxy(AUTH, cert);
    try {
      const { sessionId, phone } = nextSession('tls');
      const h = env.hostWithEnv(sessionId, await env.tempDir(), { NODE_EXTRA_CA_CERTS: bundle }, { proxy: tlsProxy.url({ auth: AUTH }) });
      expect(tlsProxy.url()).toMatch(/^https:/);
      await env.pair(h, phone);
      expect(tlsProxy.targets).toContain(simTarget());
    } finally {
      await tlsProxy.close();
      cert.remove();
    }
  });

  it('a session without a proxy goes direct: neither proxy sees a tunnel', async () => {
    const { sessionId, phone } = nextSession('direct');
    const before = [http.targets.length, socks.targets.length];
    const h = env.host(sessionId, await env.tempDir(), { media });
    await env.pair(h, phone);
    expect([http.targets.length, socks.targets.length]).toEqual(before);
  });
});

describe('a proxy that fails', () => {
  it.each([
    ['HTTP CONNECT', startHttpProxy],
    ['SOCKS5', startSocksProxy],
  ])('%s down: reconnecting / proxy_unreachable (never failed, host alive); back: connected with no QR', async (_, start) => {
    const proxy = await start();
    try {
      const { sessionId, phone } = nextSession('down');
      const dataDir = await env.tempDir();
      const h = env.host(sessionId, dataDir, { proxy: proxy.url(), badSessionMaxAttempts: 1 });
      await env.pair(h, phone);
      const qrs = h.of('qr').length;
      const from = h.messages.length;
      await proxy.stop();
      // More failed attempts than BAD_SESSION_MAX_ATTEMPTS (1): a proxy failure is not a bad session.
      const isDown = (m: { type: string }): m is StatusMessage => m.type === 'status' && (m as StatusMessage).status === 'reconnecting' && (m as StatusMessage).reason === 'proxy_unreachable';
      await h.waitFor(isDown, 30_000, from);
      await h.waitFor((m) => isDown(m) && h.messages.slice(from).filter(isDown).length >= 3, 60_000, from);
      expect(h.exitInfo).toBeUndefined();
      expect(h.statuses().some((s) => s.status === 'failed')).toBe(false);

      await proxy.restart();
      await h.waitStatus('connected', 60_000, h.messages.length);
      expect(h.of('qr').length).toBe(qrs);
    } finally {
      await proxy.close();
    }
  });

  it('wrong credentials: reconnecting / proxy_refused, and the password is never printed', async () => {
    const { sessionId } = nextSession('refused');
    const wrong = { user: AUTH.user, password: 'Wr0ngS3cret' };
    for (const proxy of [http, socks]) {
      const refusedBefore = proxy.refused;
      const h = env.host(`${sessionId}-${proxy.kind}`, await env.tempDir(), { proxy: proxy.url({ auth: wrong }) });
      const status = await h.waitFor((m): m is StatusMessage => m.type === 'status' && m.status === 'reconnecting', 30_000);
      expect(status.reason).toBe('proxy_refused');
      expect(proxy.refused).toBeGreaterThan(refusedBefore);
      expect(h.of('qr')).toHaveLength(0);
      const printed = h.output.join('');
      expect(printed).not.toContain('Wr0ngS3cret');
      expect(printed).toContain(`${AUTH.user}:***@127.0.0.1:${proxy.port}`);
    }
  });
});
