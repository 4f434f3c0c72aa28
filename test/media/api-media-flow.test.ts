/**
 * Media both ways through the worker API, every part real (issue 14 §4): an in-process
 * supervisor forking real session hosts that run real Baileys against the simulator, whose
 * contact side decrypts what was uploaded to its HTTPS media host, and encrypts what it sends.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/ipc/protocol.js';
import type { SessionEvent } from '../../src/session-view.js';
import { startSimulator, type SimMedia, type WaSim } from '../wa-sim/index.js';
import { call, REAL_HOST, startApiWorker, TOKEN, until, type ApiWorker } from '../api/support/api.js';

let sim: WaSim;
let w: ApiWorker;
let files: Server;
let filesUrl: string;
const inbound: Array<{ sessionId: string; messages: IncomingMessage[] }> = [];
const PHONE = '15550901001';
const CONTACT = '15550909001';
const SESSION = `media_${Math.random().toString(36).slice(2, 7)}`;
/** A PNG-looking payload with every byte value, so any re-encoding would show. */
const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) % 256))]);

beforeAll(async () => {
  sim = await startSimulator();
  sim.registerContact(CONTACT); // on WhatsApp: sends run a number check first (issue 19 §3)
  files = createServer((req, res) => (req.url === '/cat.png' ? res.writeHead(200, { 'content-type': 'image/png' }).end(IMAGE) : res.writeHead(404).end()));
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  Object.assign(process.env, sim.childEnv(), { NODE_OPTIONS: `--import ${sim.preloadPath}` });
  // The image server is on loopback: the operator's opt-in lets the host fetch it.
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'fatal', MEDIA_ALLOW_PRIVATE_URLS: 'true' }, REAL_HOST);
  w.sup.sessions.registry.subscribe((e: SessionEvent) => {
    if (e.kind === 'message-in') inbound.push({ sessionId: e.sessionId, messages: e.messages });
  });
  expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: SESSION } })).status).toBe(201);
  const qr = await until(async () => {
    const r = await call(w, 'GET', `/api/sessions/${SESSION}/qr`);
    return r.status === 200 ? (r.body.data.qr as string) : undefined;
  }, 45_000, 'a QR');
  await sim.scan(qr, { phone: PHONE });
  await until(async () => ((await call(w, 'GET', `/api/sessions/${SESSION}`)).body.data?.status === 'connected' ? true : undefined), 45_000, 'connected');
}, 120_000);

afterAll(async () => {
  await w?.close();
  await sim?.close();
  await new Promise((r) => files?.close(r));
  delete process.env.NODE_OPTIONS;
  delete process.env.NODE_EXTRA_CA_CERTS;
});

describe('media through the worker API', () => {
  it('an image sent by URL is decrypted by the contact byte-identical', async () => {
    const received = new Promise<SimMedia>((resolve) => sim.on('media', (m: SimMedia) => m.to === CONTACT && resolve(m)));
    const sent = await call(w, 'POST', `/api/sessions/${SESSION}/messages`, { body: { to: CONTACT, type: 'image', url: `${filesUrl}/cat.png`, caption: 'a cat' } });
    expect(sent.status).toBe(200);
    const media = await received;
    expect(media).toMatchObject({ from: PHONE, type: 'image', mimetype: 'image/png', caption: 'a cat', id: sent.body.data.messageId });
    expect(media.data.equals(IMAGE)).toBe(true);
    expect(sim.mediaServer.refused).toBe(0);
  });

  it("a contact's image reaches the supervisor as a downloadable reference with the right hash", async () => {
    const photo = Buffer.from(Array.from({ length: 50_001 }, (_, i) => (i * 13) % 256));
    const [id] = await sim.deliverMedia(CONTACT, PHONE, { type: 'image', data: photo, mimetype: 'image/jpeg', caption: 'from the contact' });
    const event = await until(async () => inbound.flatMap((e) => (e.sessionId === SESSION ? e.messages : [])).find((m) => m.id === id), 30_000, 'the incoming image');
    const sha256 = createHash('sha256').update(photo).digest('hex');
    expect(event).toMatchObject({ from: `${CONTACT}@s.whatsapp.net`, type: 'image', text: 'from the contact', media: { mimetype: 'image/jpeg', size: photo.length, sha256 } });
    const path = new URL(event.media!.url).pathname;
    expect(path).toBe(`/api/sessions/${SESSION}/media/${id}`);

    const got = await call(w, 'GET', path);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(got.headers.get('x-content-sha256')).toBe(sha256);
    expect(Buffer.from(got.body as Buffer).equals(photo)).toBe(true);

    // The same bearer auth as every /api route; an unknown message is a 404 with a code.
    expect((await call(w, 'GET', path, { token: null })).status).toBe(401);
    const missing = await call(w, 'GET', `/api/sessions/${SESSION}/media/NOPE123`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('MEDIA_NOT_FOUND');
  });

  it("deleting the session deletes its stored media", async () => {
    const [id] = await sim.deliverMedia(CONTACT, PHONE, { type: 'document', data: Buffer.from('a small pdf'), mimetype: 'application/pdf', fileName: 'x.pdf' });
    const event = await until(async () => inbound.flatMap((e) => (e.sessionId === SESSION ? e.messages : [])).find((m) => m.id === id), 30_000, 'the incoming document');
    const path = new URL(event.media!.url).pathname;
    expect((await call(w, 'GET', path)).status).toBe(200);
    expect((await call(w, 'DELETE', `/api/sessions/${SESSION}`, { timeoutMs: 60_000 })).status).toBe(200);
    const gone = await call(w, 'GET', path);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('MEDIA_NOT_FOUND');
  }, 90_000);
});
