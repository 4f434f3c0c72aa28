/**
 * Issue 20, done-when: the worker (the real compiled supervisor, its session hosts, the WhatsApp
 * simulator, S3 snapshots) driven end to end by the whatsam backend — its commands as its
 * proxy.service.js sends them (start, status, send of every type, manage, disconnect, restart,
 * logout, delete; `Content-Type: application/json` on bodiless calls too) and its webhooks with
 * the fake answering as the real one does (test/fake-backend/whatsam-realism.ts): the registration
 * health probe, the 409s, id normalisation, stripped unknown fields, message-status 404 and both
 * rate limiters answering 429 + Retry-After like express-rate-limit 7.
 *
 * The webhook limiter is the real fixed window, tightened from 60 a minute to 15 per 15 s (the same average): the worker's
 * own budget (50/min) keeps it under the real numbers unless more than 60 events pile up within a
 * minute, which a test of this length would spend minutes producing. The tightened window is
 * crossed by the burst below, so 429s and Retry-After are exercised; nothing may be lost for it.
 * `/api` keeps the real 1,000 per 15 minutes.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../fake-backend/server.js';
import { REAL_WHATSAM, WHATSAM_LIMITS } from '../fake-backend/whatsam-realism.js';
import type { E2EWorker } from './support/worker.js';
import { startWorld, TOKEN, type World } from './support/world.js';

const WEBHOOK_WINDOW = { limit: 15, windowMs: 15_000 };
const USER = '3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b';
// As its session controller names a session: `${userId}-${name lowercased, spaces → -}-${ms}`.
const SESSION = `${USER}-customer-support-${Date.now()}`;
const PHONE = '15550821001';
const CONTACT = '15550829001';
const TO = `${CONTACT}@s.whatsapp.net`;
// Under the worker's own send limit (bursts of 20 per session) with the sends that follow.
const BURST = 10;

let world: World;
let worker: E2EWorker;
let media: Server;
let mediaUrl = '';

interface SimMsg { id: string; text: string; to: string; content: Record<string, any> }
interface Stanza { phone: string; tag: string; attrs: Record<string, string>; children: Array<{ tag: string; attrs: Record<string, string> }> }
interface StatusBody { sessionId: string; status: string; qrCode?: string; phoneNumber?: string; timestamp: string }

beforeAll(async () => {
  world = await startWorld('whatsam', { profile: 'whatsam', realism: { ...REAL_WHATSAM, rateLimits: { api: WHATSAM_LIMITS.api, webhooks: WEBHOOK_WINDOW } } });
  world.sim.registerContact(CONTACT);
  media = createServer((_req, res) => res.end(Buffer.alloc(64, 1)));
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as { port: number }).port}/file.bin`;
}, 60_000);

afterAll(async () => {
  await world?.close([SESSION]);
  await new Promise<void>((r) => (media ? media.close(() => r()) : r()));
});

// BACKEND_TIMEOUT above the backend's 5 s probe of WORKER_ENDPOINT/health, which a registration waits for.
const ENV = { HEARTBEAT_INTERVAL: '5000', ASSIGNMENT_POLL_INTERVAL: '5000', BACKEND_TIMEOUT: '8000', MEDIA_ALLOW_PRIVATE_URLS: 'true' };

/** The backend's axios: bearer token and JSON content type on every request, with or without a body. */
async function backend(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: method === 'GET' ? undefined : body === undefined ? '' : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
const path = (suffix = '') => `/api/sessions/${encodeURIComponent(SESSION)}${suffix}`;
const send = (body: Record<string, unknown>) => backend('POST', `/api/${encodeURIComponent(SESSION)}/send`, { to: TO, ...body });
const manage = (body: Record<string, unknown>) => backend('POST', `/api/message/${encodeURIComponent(SESSION)}/manage`, { phone: TO, ...body });

/** The next simulator event that matches, or a rejection naming what was seen instead. */
function next<T>(event: string, what: string, match: (e: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      world.sim.off(event, on);
      reject(new Error(`no ${event} ${what} within ${timeoutMs} ms; saw ${seen.slice(-5).join(' | ')}\n${worker.tail()}`));
    }, timeoutMs);
    const on = (e: T): void => {
      seen.push(JSON.stringify(e).slice(0, 300));
      if (!match(e)) return;
      clearTimeout(timer);
      world.sim.off(event, on);
      resolve(e);
    };
    world.sim.on(event, on);
  });
}
const nextMessage = (match: (m: SimMsg) => boolean, what: string) => next<SimMsg>('message', what, (m) => m.to === CONTACT && match(m));
const nextStanza = (match: (s: Stanza) => boolean, what: string) => next<Stanza>('client-stanza', what, (s) => s.phone === PHONE && match(s));

const accepted = (c: RecordedCall): boolean => c.status >= 200 && c.status < 300;
/** An accepted session-status webhook of SESSION, after `since`, matching `pred` (waits through 429s). */
function statusWebhook(pred: (b: StatusBody) => boolean, since: number, timeoutMs = 60_000): Promise<RecordedCall> {
  return world.waitCall((c) => c.route === 'session-status' && accepted(c) && c.at >= since && (c.body as StatusBody).sessionId === SESSION && pred(c.body as StatusBody), timeoutMs);
}

/**
 * Every event the worker produced, from its live feed (`GET /api/events/stream`: the same
 * idempotency keys as the backend's webhooks): what the backend got is checked against it.
 */
async function feed(): Promise<{ events: Array<{ id: string; event: string }>; close: () => void }> {
  const events: Array<{ id: string; event: string }> = [];
  const abort = new AbortController();
  const res = await fetch(`${worker.url}/api/events/stream?sessionId=${encodeURIComponent(SESSION)}`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  void (async () => {
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (id !== undefined && event !== undefined) events.push({ id, event });
      }
    }
  })().catch(() => undefined); // ends with the abort or the worker's stop
  return { events, close: () => abort.abort() };
}

/**
 * Another worker behind the same IP (the limiter is per IP: workers on one host or behind one NAT
 * share it) spends what is left of the webhook window, so this worker's next events meet a 429.
 */
async function neighbourSpendsWindow(): Promise<void> {
  for (let i = 0; i < WEBHOOK_WINDOW.limit + 1; i++) {
    const r = await fetch(`${world.backend.url}/api/webhooks/worker-heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: 'neighbour-worker', status: 'ONLINE' }),
    });
    await r.arrayBuffer();
    if (r.status === 429) return;
  }
  throw new Error('the webhook window never filled');
}
const ownWebhook = (c: RecordedCall): boolean => c.route === 'session-status' || c.route === 'message-status' || (c.route === 'worker-heartbeat' && (c.body as { workerId?: string }).workerId === world.workerId);

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${worker.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the whatsam backend drives the worker end to end (faithful fake, rate-limited webhooks)', () => {
  it('registers through the health probe; start → QR webhook → scan → every send type → manage → disconnect/restart/logout → delete; every event reaches the backend under its limit', async () => {
    worker = await world.startWorker({ env: ENV });
    await worker.until((h) => h.backend?.registered === true, 30_000, 'registered with the backend');
    // The backend probed WORKER_ENDPOINT/health before it accepted the registration.
    expect(world.backend.probes).toContainEqual(expect.objectContaining({ endpoint: worker.url, outcome: 200 }));
    expect((await worker.health())?.backend?.registrationProblem).toBeNull();
    const produced = await feed();

    // The backend assigns the session in its database (status INIT), then asks the worker to start it.
    world.backend.setAssignments(world.workerId, [{ sessionId: SESSION, userId: USER, name: 'Customer Support' }]);
    const t0 = Date.now();
    const started = await backend('POST', '/api/sessions/start', { sessionId: SESSION, userId: USER, sessionName: 'Customer Support' });
    expect([200, 201], JSON.stringify(started.body)).toContain(started.status);
    expect(started.body.status).toMatch(/^(INIT|QR_REQUIRED)$/);

    // The QR reaches the backend in a session-status webhook (QR codes go first in the queue).
    const qrCall = await statusWebhook((b) => b.status === 'QR_REQUIRED' && typeof b.qrCode === 'string', t0);
    await world.sim.scan((qrCall.body as StatusBody).qrCode!, { phone: PHONE });
    await statusWebhook((b) => b.status === 'CONNECTED' && b.phoneNumber === PHONE, t0);
    expect((await backend('GET', path('/status'))).body).toMatchObject({ status: 'CONNECTED', phoneNumber: PHONE });

    // A burst of texts while the window is spent: their receipts wait out the 429s.
    await neighbourSpendsWindow();
    const sent: string[] = [];
    const burst = await Promise.all(Array.from({ length: BURST }, (_, i) => send({ type: 'text', message: `burst ${i}` })));
    for (const r of burst) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sent.push(r.body.data.messageId as string);
    }

    // Every other type it sends, each checked on the contact's phone.
    let got = nextMessage((m) => m.text === 'hello whatsam', 'text');
    const text = await send({ type: 'text', message: 'hello whatsam' });
    expect(text.status).toBe(200);
    expect((await got).id).toBe(text.body.data.messageId);
    sent.push(text.body.data.messageId as string);

    got = nextMessage((m) => m.content.locationMessage !== undefined, 'location');
    const loc = await send({ type: 'location', location: { latitude: -6.2088, longitude: 106.8456, name: 'Jakarta', address: 'Jakarta, Indonesia' } });
    expect(loc.status).toBe(200);
    expect((await got).content.locationMessage).toMatchObject({ degreesLatitude: -6.2088, name: 'Jakarta' });
    sent.push(loc.body.data.messageId as string);

    got = nextMessage((m) => m.content.contactMessage !== undefined, 'contact');
    const contact = await send({ type: 'contact', contact: { name: 'John Doe', phone: '+1234567890', email: 'john.doe@example.com', organization: 'Acme' } });
    expect(contact.status).toBe(200);
    expect((await got).content.contactMessage.vcard).toContain('FN:John Doe');
    sent.push(contact.body.data.messageId as string);

    got = nextMessage((m) => m.content.extendedTextMessage?.matchedText === 'https://example.com/page', 'link');
    const link = await send({ type: 'link', link: { url: 'https://example.com/page', title: 'Example', description: 'An example page' } });
    expect(link.status).toBe(200);
    expect((await got).content.extendedTextMessage).toMatchObject({ title: 'Example' });
    sent.push(link.body.data.messageId as string);

    got = nextMessage((m) => JSON.stringify(m.content).includes('Lunch?'), 'poll');
    const poll = await send({ type: 'poll', poll: { question: 'Lunch?', options: ['Pizza', 'Sushi'], multipleAnswers: false } });
    expect(poll.status).toBe(200);
    await got;
    sent.push(poll.body.data.messageId as string);

    for (const type of ['image', 'video', 'audio', 'document'] as const) {
      const received = next<{ to: string; type: string; data: Buffer }>('media', type, (m) => m.to === CONTACT && m.type === type);
      const r = await send({ type, mediaUrl, ...(type === 'audio' ? {} : { caption: `a ${type}` }), ...(type === 'document' ? { filename: 'report.pdf' } : {}) });
      expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(Buffer.from((await received).data).equals(Buffer.alloc(64, 1)), type).toBe(true);
      sent.push(r.body.data.messageId as string);
    }

    const incoming = await world.sim.deliverText(CONTACT, PHONE, 'please read me');
    const readStanza = nextStanza((s) => s.tag === 'receipt' && s.attrs.type === 'read', 'read receipt');
    expect((await send({ type: 'seen', messageId: incoming })).status).toBe(200);
    expect((await readStanza).attrs.id).toBe(incoming);

    const composing = nextStanza((s) => s.tag === 'chatstate' && s.children.some((c) => c.tag === 'composing'), 'composing');
    expect((await send({ type: 'typing_start' })).status).toBe(200);
    await composing;
    const paused = nextStanza((s) => s.tag === 'chatstate' && s.children.some((c) => c.tag === 'paused'), 'paused');
    expect((await send({ type: 'typing_stop' })).status).toBe(200);
    await paused;

    // manage: reaction, edit, unsend, delete for everyone, read; star/unstar need app state keys.
    const target = text.body.data.messageId as string;
    got = nextMessage((m) => m.content.reactionMessage !== undefined, 'reaction');
    expect((await manage({ action: 'reaction', messageId: target, emoji: '👍' })).status).toBe(200);
    expect((await got).content.reactionMessage).toMatchObject({ text: '👍', key: { id: target } });
    got = nextMessage((m) => JSON.stringify(m.content).includes('hello, edited'), 'edit');
    expect((await manage({ action: 'edit', messageId: target, newText: 'hello, edited' })).status).toBe(200);
    await got;
    got = nextMessage((m) => m.content.protocolMessage?.type === 'REVOKE' && m.content.protocolMessage.key.id === target, 'unsend');
    expect((await manage({ action: 'unsend', messageId: target })).status).toBe(200);
    await got;
    const other = loc.body.data.messageId as string;
    got = nextMessage((m) => m.content.protocolMessage?.type === 'REVOKE' && m.content.protocolMessage.key.id === other, 'delete for everyone');
    expect((await manage({ action: 'delete', messageId: other, forEveryone: true })).status).toBe(200);
    await got;
    const second = await world.sim.deliverText(CONTACT, PHONE, 'read me too');
    const read2 = nextStanza((s) => s.tag === 'receipt' && s.attrs.type === 'read' && s.attrs.id === second, 'read');
    expect((await manage({ action: 'read', messageId: second, jid: TO, messageKey: { remoteJid: TO, fromMe: false, id: second } })).status).toBe(200);
    await read2;
    for (const action of ['star', 'unstar']) {
      const r = await manage({ action, messageId: other });
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error.code).toBe('APP_STATE_NOT_READY');
    }

    // Bodiless lifecycle commands, in an order its session service allows (it calls the worker
    // only for a session that has one): restart; disconnect and logout set the session's workerId
    // to null (no longer assigned); connecting again assigns it and calls start. The backend
    // hears each state in a webhook.
    const assigned = () => world.backend.setAssignments(world.workerId, [{ sessionId: SESSION, userId: USER, name: 'Customer Support' }]);
    const unassigned = () => world.backend.setAssignments(world.workerId, []);
    // The restart's statuses (INIT, CONNECTED) come while the window is spent: they wait, and only
    // the newest goes once it reopens.
    await neighbourSpendsWindow();
    let mark = Date.now();
    expect((await backend('POST', path('/restart'))).status).toBe(200);
    await statusWebhook((b) => b.status === 'CONNECTED', mark);
    mark = Date.now();
    unassigned();
    expect((await backend('POST', path('/disconnect'))).status).toBe(200);
    await statusWebhook((b) => b.status === 'DISCONNECTED', mark);
    mark = Date.now();
    assigned();
    expect((await backend('POST', '/api/sessions/start', { sessionId: SESSION, userId: USER, sessionName: 'Customer Support' })).status).toBe(200);
    await statusWebhook((b) => b.status === 'CONNECTED', mark);
    mark = Date.now();
    unassigned();
    expect((await backend('POST', path('/logout'))).status).toBe(200);
    await until(async () => ((await backend('GET', path('/status'))).body.data?.status === 'logged_out' ? true : undefined), 30_000, 'logged out');
    await statusWebhook((b) => b.status === 'DISCONNECTED', mark);
    expect(world.sim.devices().filter((d) => d.phone === PHONE)).toEqual([]);
    expect((await backend('DELETE', path())).status).toBe(200);
    expect((await backend('GET', path('/status'))).status).toBe(404);

    // Nothing lost under the limit: the outbox drains, nothing dead-lettered or dropped.
    const drained = await worker.until((h) => h.events?.pending === 0, 180_000, 'every event delivered');
    expect(drained.events).toMatchObject({ dead: 0, deadLettered: 0, lost: 0, evicted: 0 });
    const calls = world.backend.calls;
    // The limit was hit and honoured: 429s with Retry-After, and the lanes waited them out.
    const limited = calls.filter((c) => c.limitedBy === 'webhooks' && ownWebhook(c));
    expect(limited.filter((c) => c.route === 'message-status').length, 'receipts met the limit').toBeGreaterThan(0);
    expect(limited.filter((c) => c.route === 'session-status').length, 'statuses met the limit').toBeGreaterThan(0);
    expect(drained.events.throttled).toBe(limited.length);
    expect(calls.filter((c) => c.limitedBy === 'api')).toEqual([]);
    // Every body valid, no field the backend would drop unread.
    expect(world.backend.invalidCalls().map((c) => `${c.path} ${c.errors.join(';')} ${c.stripped.join(',')}`)).toEqual([]);

    produced.close();
    const keysOf = (event: string) => produced.events.filter((e) => e.event === event).map((e) => e.id);

    // Every receipt the worker produced reached the backend exactly once past the limiter: answered
    // 404 (it never stores our ids), settled as an unknown message, never retried into the limit.
    const receipts = calls.filter((c) => c.route === 'message-status' && c.limitedBy === undefined);
    expect(receipts.every((c) => c.status === 404)).toBe(true);
    expect(receipts.map((c) => c.idempotencyKey).sort()).toEqual(keysOf('message.status').sort());
    expect(drained.events.unknownMessages).toBe(receipts.length);
    // ... and every message sent was delivered to the contact's phone, which the backend heard.
    const delivered = new Set(receipts.filter((c) => (c.body as { status: string }).status === 'DELIVERED').map((c) => (c.body as { messageId: string }).messageId));
    expect(sent.filter((id) => !delivered.has(id))).toEqual([]);

    // Session statuses: each one produced was delivered or superseded by a newer one while it
    // waited (coalesced); the newest always arrives, and never an older one after a newer one.
    const statusCalls = calls.filter((c) => c.route === 'session-status' && accepted(c));
    const statusKeys = keysOf('session.status');
    const deliveredKeys = new Set(statusCalls.map((c) => c.idempotencyKey));
    expect(deliveredKeys.size).toBe(statusCalls.length);
    expect(statusKeys.filter((k) => deliveredKeys.has(k)).length + drained.events.coalesced).toBe(statusKeys.length);
    expect(drained.events.coalesced, 'statuses coalesced while they waited').toBeGreaterThan(0);
    expect(deliveredKeys.has(statusKeys.at(-1)!)).toBe(true);
    const statuses = statusCalls.map((c) => c.body as StatusBody);
    const times = statuses.map((b) => Date.parse(b.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(statuses.at(-1)?.status).toBe('DISCONNECTED');

    // A graceful stop says OFFLINE (the shared webhook window permitting) and never unregisters.
    const stopped = await worker.stop();
    expect(stopped.code).toBe(0);
    expect(world.backend.callsTo('worker-heartbeat').map((c) => (c.body as { status: string }).status)).toContain('OFFLINE');
    expect(world.backend.callsTo('unregister')).toEqual([]);
  }, 420_000);

  it('a registration the backend refuses shows in /health with a stable code: WORKER_ENDPOINT unreachable, then the same worker id on another endpoint', async () => {
    // Registered above with its first endpoint; this start names one the backend cannot reach.
    worker = await world.startWorker({ env: { ...ENV, WORKER_ENDPOINT: 'http://127.0.0.1:1' } });
    const probe = await worker.until((h) => h.backend?.registrationProblem != null, 30_000, 'the probe failure in /health');
    expect(probe.backend).toMatchObject({ registered: false, registrationProblem: { code: 'BACKEND_HEALTH_PROBE_FAILED', message: expect.stringContaining('http://127.0.0.1:1/health') } });
    expect(worker.tail()).toContain('BACKEND_HEALTH_PROBE_FAILED');
    expect((await worker.stop()).code).toBe(0);

    // Its own (new) port answers the probe, but the backend holds this id with the first endpoint.
    const first = world.backend.workers.get(world.workerId)!.endpoint;
    worker = await world.startWorker({ env: ENV });
    const moved = await worker.until((h) => h.backend?.registrationProblem != null, 30_000, 'the 409 in /health');
    expect(moved.backend.registrationProblem).toMatchObject({ code: 'BACKEND_WORKER_ID_CONFLICT', message: expect.stringContaining(`WORKER_ENDPOINT=${first}`) });
    expect(moved.status).toBe('ok'); // it serves its API meanwhile
    expect((await worker.stop()).code).toBe(0);
  }, 120_000);
});
