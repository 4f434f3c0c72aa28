import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostMediaSettings } from '../../src/ipc/protocol.js';
import type { SimMedia } from '../wa-sim/index.js';
import { useSimEnv } from '../session-host/sim-env.js';

/**
 * A session host sending media by URL (issue 16 §3, issue 14 §4): the host fetches the URL itself
 * through the guarded fetcher, and the simulated contact decrypts what was uploaded. Real host
 * process, real Baileys, the simulator's HTTPS media host.
 */
const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256))]);
/** One second of 8 kHz mono 8-bit PCM silence: a WAV whose duration music-metadata reads. */
const WAV = (() => {
  const data = Buffer.alloc(8000, 0x80);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24); // sample rate
  h.writeUInt32LE(8000, 28); // byte rate
  h.writeUInt16LE(1, 32); // block align
  h.writeUInt16LE(8, 34); // bits per sample
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
})();
const env = useSimEnv();
let files: Server;
let filesPort: number;
let hits = 0;
let n = 0;

beforeAll(async () => {
  // on WhatsApp: sends run a number check first (issue 19 §3)
  env.sim.registerContact('15550009999');
  env.sim.registerContact('15550008888');
  files = createServer((req, res) => {
    hits++;
    if (req.url === '/one-second.wav') return void res.writeHead(200, { 'content-type': 'audio/wav' }).end(WAV);
    if (req.url === '/img.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE);
    if (req.url === '/redirect') return void res.writeHead(302, { location: `http://127.0.0.1:${filesPort}/img.png` }).end();
    res.writeHead(404).end();
  });
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesPort = (files.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => files?.close(r));
});

async function connected(media?: Partial<HostMediaSettings>) {
  n++;
  const phone = `1555010${String(1000 + n)}`;
  const h = env.host(`media-send-${n}`, await env.tempDir(), media ? { media: { allowPrivateUrls: false, maxBytes: 64 * 1024 * 1024, fetchTimeoutMs: 10_000, ...media } } : {});
  await env.pair(h, phone);
  return h;
}

describe('media URLs the host refuses (nothing fetched, nothing sent)', () => {
  it.each([
    ['a loopback address', () => `http://127.0.0.1:${filesPort}/img.png`],
    ['a name that resolves to loopback', () => `http://localhost:${filesPort}/img.png`],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', () => 'http://10.20.30.40/img.png'],
  ])('%s → MEDIA_URL_BLOCKED', async (_, url) => {
    const h = await connected();
    const before = hits;
    const res = await h.request({ type: 'send', to: '15550009999', message: { type: 'image', url: url() } }, 30_000);
    expect(res).toMatchObject({ ok: false, error: { code: 'MEDIA_URL_BLOCKED' } });
    expect(hits).toBe(before);
  });

  it('a body over MEDIA_MAX_BYTES → MEDIA_TOO_LARGE', async () => {
    const h = await connected({ allowPrivateUrls: true, maxBytes: 1024 });
    const res = await h.request({ type: 'send', to: '15550009999', message: { type: 'image', url: `http://127.0.0.1:${filesPort}/img.png` } }, 30_000);
    expect(res).toMatchObject({ ok: false, error: { code: 'MEDIA_TOO_LARGE' } });
  });
});

describe('MEDIA_ALLOW_PRIVATE_URLS=true', () => {
  it('a loopback image (through a redirect) is sent; the contact decrypts it byte-identical', async () => {
    const h = await connected({ allowPrivateUrls: true });
    const received = new Promise<SimMedia>((resolve) => env.sim.on('media', (m: SimMedia) => m.to === '15550008888' && resolve(m)));
    const res = await h.request({ type: 'send', to: '15550008888', message: { type: 'image', url: `http://127.0.0.1:${filesPort}/redirect`, caption: 'a picture' } }, 40_000);
    expect(res).toMatchObject({ ok: true, result: { status: 'sent' } });
    const media = await received;
    expect(media.type).toBe('image');
    expect(media.mimetype).toBe('image/png');
    expect(media.caption).toBe('a picture');
    expect(media.data.equals(IMAGE)).toBe(true);
    expect(media.id).toBe((res as { result: { messageId: string } }).result.messageId);
  });

  it("an audio file is sent with its duration: Baileys' parser (the host's lazy media.cjs chunk) ran", async () => {
    const h = await connected({ allowPrivateUrls: true });
    const received = new Promise<SimMedia>((resolve) => env.sim.on('media', (m: SimMedia) => m.type === 'audio' && resolve(m)));
    const res = await h.request({ type: 'send', to: '15550008888', message: { type: 'audio', url: `http://127.0.0.1:${filesPort}/one-second.wav` } }, 40_000);
    expect(res).toMatchObject({ ok: true, result: { status: 'sent' } });
    const media = await received;
    expect(media.data.equals(WAV)).toBe(true);
    expect(media.seconds).toBe(1);
  });
});
