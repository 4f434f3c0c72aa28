/**
 * Delivery lanes of the outbox against the strict fake backend over real HTTP on 127.0.0.1 (the
 * backend integration and outbox in-process, as the supervisor composes them): a broken messages
 * endpoint never delays statuses, a 429's Retry-After is honoured without blocking other lanes,
 * whatsam's "message not found" 404 is settled without retries, and the client webhook
 * (WEBHOOK_URL) gets every event signed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createOutbox } from '../../supervisor/outbox/index.js';
import { signature } from '../../supervisor/outbox/webhook-sink.js';
import { FakeBackend, type Profile } from '../fake-backend/server.js';
import { MemoryDirectory } from '../backend/support/fake-directory.js';
import { makeWorker, tempDir, TOKEN, until, type TestWorker } from '../backend/support/harness.js';

const AT = '2024-05-01T10:00:00.000Z';
const msg = (id: string) => ({ id, from: '15550002222@s.whatsapp.net', timestamp: AT, type: 'text' as const, text: id });

let fake: FakeBackend;
let dir: { path: string; remove: () => Promise<void> };
const stops: (() => Promise<void>)[] = [];

async function worker(profile: Profile): Promise<TestWorker> {
  fake = await FakeBackend.start({ profile, token: TOKEN });
  const w = await makeWorker({ url: fake.url, profile, dataDir: dir.path, env: { WORKER_ID: 'worker-l1' } });
  stops.push(() => w.stop());
  await w.integration.start();
  return w;
}

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await fake?.close();
  await dir.remove();
});

describe('outbox lanes', () => {
  it('a messages endpoint that hangs or fails does not delay session statuses', async () => {
    const { outbox, directory } = await worker('seed');
    fake.hang('messages');
    directory.emit({ kind: 'message-in', sessionId: 's1', messages: [msg('M1')] });
    await fake.waitFor((c) => c.route === 'messages');
    const t0 = Date.now();
    directory.setStatus('s1', 'connected');
    directory.setStatus('s2', 'connected');
    await until(() => fake.callsTo('session-status').filter((c) => c.status === 200).length === 2, 5000, 'statuses delivered');
    // Well inside the messages request's 1 s timeout: nothing waited behind it.
    expect(Date.now() - t0).toBeLessThan(900);
    expect(outbox.stats().lanes['backend:messages']).toEqual({ pending: 1, dead: 0 });

    fake.hang('messages', false);
    fake.fail('messages', 503, 3);
    directory.setStatus('s1', 'reconnecting');
    await until(() => fake.callsTo('session-status').filter((c) => c.status === 200).length === 3, 5000, 'status during 503s');
    await outbox.onIdle();
    expect(fake.deduplicated('messages').unique.map((c) => c.idempotencyKey)).toEqual(['s1:M1']);
    expect(fake.invalidCalls()).toEqual([]);
  });

  it('honours 429 + Retry-After on one lane while other lanes go on, and never drops the event', async () => {
    const { outbox, directory } = await worker('seed');
    fake.fail('session-status', 429, 1, { 'Retry-After': '2' });
    directory.setStatus('s1', 'connected');
    const throttled = await fake.waitFor((c) => c.route === 'session-status' && c.status === 429);
    directory.emit({ kind: 'message-in', sessionId: 's1', messages: [msg('M1')] });
    const message = await fake.waitFor((c) => c.route === 'messages' && c.status === 200);
    expect(message.at - throttled.at).toBeLessThan(1500);
    const retried = await fake.waitFor((c) => c.route === 'session-status' && c.status === 200, 6000);
    expect(retried.at - throttled.at).toBeGreaterThanOrEqual(1950);
    expect(retried.idempotencyKey).toBe(throttled.idempotencyKey);
    await outbox.onIdle();
    expect(outbox.stats()).toMatchObject({ throttled: 1, dead: 0, pending: 0, deadLettered: 0 });
  });

  it('whatsam: a 404 on message-status is an unknown message (counted, not retried); statuses coalesce, QR first', async () => {
    const { outbox, directory } = await worker('whatsam');
    fake.fail('message-status', 404, 1);
    directory.emit({ kind: 'receipt', sessionId: 's1', messageId: '3EB0AAA', remoteJid: 'x@s.whatsapp.net', status: 'delivered', at: AT });
    await until(() => outbox.stats().unknownMessages === 1, 5000, 'unknown message settled');
    await outbox.onIdle();
    expect(fake.callsTo('message-status')).toHaveLength(1);
    expect(outbox.stats()).toMatchObject({ dead: 0, pending: 0 });

    // While the status lane is held up (s0's request hangs until its 1 s timeout), s1 goes
    // through three statuses and s2 shows a QR code: the QR goes first, then s0 again (its own
    // newest), then only s1's newest status.
    fake.hang('session-status');
    directory.setStatus('s0', 'connecting');
    await fake.waitFor((c) => c.route === 'session-status' && (c.body as { sessionId: string }).sessionId === 's0');
    directory.setStatus('s1', 'connecting');
    directory.setStatus('s1', 'connected');
    directory.emit({ kind: 'qr', sessionId: 's2', qr: '2@qr,code', expiresAt: AT, attempt: 1, at: AT });
    directory.setStatus('s1', 'reconnecting');
    fake.hang('session-status', false);
    await outbox.onIdle();
    const after = fake.callsTo('session-status').filter((c) => c.status === 200).map((c) => c.body as { sessionId: string; status: string });
    expect(after.map((b) => `${b.sessionId}:${b.status}`)).toEqual(['s2:QR_REQUIRED', 's0:INIT', 's1:RECONNECTING']);
    expect(outbox.stats().coalesced).toBe(2);
    expect(fake.invalidCalls()).toEqual([]);
  });
});

describe('client webhook (WEBHOOK_URL)', () => {
  let server: Server;
  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('standalone: every event is POSTed with its key and an HMAC-SHA256 signature of the raw body', async () => {
    const got: { headers: IncomingMessage['headers']; raw: string }[] = [];
    let failFirst = true;
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, raw });
        // The receiver is briefly broken: the event is retried with the same key.
        res.writeHead(failFirst ? 500 : 204).end();
        failFirst = false;
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const secret = 'webhook-secret-0123456789';
    const config = parseConfig({ DATA_DIR: dir.path, WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/wa?src=worker`, WEBHOOK_SECRET: secret });
    const outbox = createOutbox({ config, dataDir: dir.path, logger: pino({ level: 'silent' }), workerId: 'w-standalone', version: '1.2.3', backend: null, retry: { minMs: 20, maxMs: 50 } });
    expect(outbox).not.toBeNull();
    const directory = new MemoryDirectory();
    outbox!.attach((l) => directory.onEvent(l));
    outbox!.start();
    stops.push(() => outbox!.close(0));
    directory.setStatus('s1', 'connected', { phoneNumber: '15550001111' });
    directory.emit({ kind: 'message-in', sessionId: 's1', messages: [msg('M1'), msg('M2')] });
    directory.emit({ kind: 'receipt', sessionId: 's1', messageId: 'OUT1', remoteJid: 'x@s.whatsapp.net', status: 'read', at: AT });
    await outbox!.onIdle();

    expect(got.length).toBe(5); // 4 events, one of them retried once
    for (const g of got) {
      expect(g.headers['x-webhook-signature']).toBe(signature(secret, g.raw));
      const body = JSON.parse(g.raw) as { id: string; event: string };
      expect(g.headers['idempotency-key']).toBe(body.id);
      expect(g.headers['x-webhook-event']).toBe(body.event);
    }
    const bodies = got.slice(1).map((g) => JSON.parse(g.raw) as Record<string, any>);
    expect(JSON.parse(got[0]!.raw).id).toBe(bodies.find((b) => b.event === got[0]!.headers['x-webhook-event'])?.id);
    const byEvent = (e: string) => bodies.filter((b) => b.event === e);
    expect(byEvent('session.status')[0]).toMatchObject({ sessionId: 's1', workerId: 'w-standalone', data: { status: 'connected', phoneNumber: '15550001111' } });
    expect(byEvent('message').map((b) => b.id)).toEqual(['s1:M1', 's1:M2']);
    expect(byEvent('message')[0]).toMatchObject({ data: { id: 'M1', text: 'M1', type: 'text' } });
    expect(byEvent('message.status')[0]).toMatchObject({ id: 's1:OUT1:read', data: { messageId: 'OUT1', status: 'read' } });
  });
});
