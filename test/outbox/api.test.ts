/**
 * The dead-letter API and its OpenAPI, on a real supervisor in-process (standalone, fixture hosts)
 * whose only sink is the client webhook: a receiver that answers 422 for the first messages turns
 * them into dead letters; the API lists, replays and discards them; bad input is a 4xx with a code
 * and changes nothing; and the outbox survives a graceful stop (health still answers meanwhile).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { startSupervisor } from '../../supervisor/app.js';
import { freePort } from '../support/free-port.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHost } from '../supervisor/support/build.js';
import { call, startApiWorker, TOKEN, until, type ApiWorker } from '../api/support/api.js';

let server: Server;
let worker: ApiWorker;
let reject = true;
const received: { key: string; event: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { id: string; event: string };
      if (reject && body.event === 'message') return void res.writeHead(422).end('{"error":"unknown chat"}');
      received.push({ key: body.id, event: body.event });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  // Hosts inherit the supervisor's (this process's) environment.
  process.env.FIXTURE_SCRIPT = JSON.stringify({ '*': { incoming: 2 } });
  worker = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, WEBHOOK_SECRET: 'x'.repeat(32) }, fixtureHost('scripted'));
}, 30_000);

/** A stream a client leaves open: shutdown must end it, not wait for it. */
let dangling: ReadableStreamDefaultReader<Uint8Array> | undefined;

afterAll(async () => {
  delete process.env.FIXTURE_SCRIPT;
  await worker?.close();
  if (dangling) {
    for (;;) if ((await dangling.read()).done) break; // ended by the worker's shutdown
  }
  await new Promise<void>((r) => server.close(() => r()));
});

describe('dead letters over the API', () => {
  it('lists, replays and discards dead letters; answers bad input with 4xx and changes nothing', async () => {
    expect((await call(worker, 'POST', '/api/sessions', { body: { sessionId: 'dl1' } })).status).toBeLessThan(300);
    const listed = await until(async () => {
      const r = await call(worker, 'GET', '/api/events/dead-letters');
      return r.body.data.total === 2 ? r : undefined;
    }, 20_000, 'two dead letters');
    expect(listed.body.data.deadLetters.map((d: { idempotencyKey: string }) => d.idempotencyKey)).toEqual(['dl1:IN-dl1-1', 'dl1:IN-dl1-2']);
    expect(listed.body.data.deadLetters[0]).toMatchObject({ sink: 'webhook', kind: 'messages', sessionId: 'dl1', attempts: 3, lastError: 'HTTP 422', event: { kind: 'messages' } });
    expect(received.some((r) => r.event === 'session.status')).toBe(true);

    // Bad input: 400 with a code; unknown id: 404; nothing changed.
    expect((await call(worker, 'POST', '/api/events/dead-letters/replay', { body: { ids: ['one'] } })).status).toBe(400);
    expect((await call(worker, 'POST', '/api/events/dead-letters/replay', { body: { ids: [1], all: true } })).status).toBe(400);
    expect((await call(worker, 'GET', '/api/events/dead-letters?limit=0')).status).toBe(400);
    expect((await call(worker, 'DELETE', '/api/events/dead-letters/abc')).status).toBe(400);
    expect((await call(worker, 'GET', '/api/events/dead-letters?limit=1&offset=1')).body.data.deadLetters.map((d: { idempotencyKey: string }) => d.idempotencyKey)).toEqual(['dl1:IN-dl1-2']);
    const missing = await call(worker, 'DELETE', '/api/events/dead-letters/999999');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'DEAD_LETTER_NOT_FOUND' } } });
    expect((await call(worker, 'GET', '/api/events/dead-letters', { token: null })).status).toBe(401);
    expect((await call(worker, 'GET', '/api/events/dead-letters')).body.data.total).toBe(2);

    // Discard one, replay the other once the receiver accepts it.
    const [first, second] = listed.body.data.deadLetters as { id: number; idempotencyKey: string }[];
    expect(await call(worker, 'DELETE', `/api/events/dead-letters/${first!.id}`)).toMatchObject({ status: 200, body: { data: { id: first!.id, discarded: true } } });
    reject = false;
    expect(await call(worker, 'POST', '/api/events/dead-letters/replay', { body: {} })).toMatchObject({ status: 200, body: { data: { replayed: 1 } } });
    await until(async () => (received.some((r) => r.key === second!.idempotencyKey) ? true : undefined), 10_000, 'replayed message');
    expect(received.filter((r) => r.key === first!.idempotencyKey)).toEqual([]);
    expect((await call(worker, 'GET', '/api/events/dead-letters')).body.data).toEqual({ deadLetters: [], total: 0 });
    const health = await call(worker, 'GET', '/health');
    expect(health.body.data.events).toMatchObject({ pending: 0, dead: 0, deadLettered: 2 });
  });

  it('documents the routes and the webhook body in the OpenAPI', async () => {
    const doc = (await call(worker, 'GET', '/docs/json')).body as { paths: Record<string, unknown>; webhooks: Record<string, any> };
    for (const p of ['/api/events/dead-letters', '/api/events/dead-letters/replay', '/api/events/dead-letters/{id}']) expect(doc.paths).toHaveProperty([p]);
    const hook = doc.webhooks.event.post;
    expect(hook.parameters.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key', 'X-Webhook-Event', 'X-Webhook-Signature']);
    expect(hook.requestBody.content['application/json'].schema.required).toEqual(['id', 'event', 'sessionId', 'workerId', 'timestamp', 'data']);
  });
});

describe('live event stream (server-sent events)', () => {
  it('streams every event of a session with its key, event name and the webhook body; needs the token', async () => {
    expect((await fetch(`${worker.sup.url}/api/events/stream`, { signal: AbortSignal.timeout(5000) })).status).toBe(401);
    const abort = new AbortController();
    const res = await fetch(`${worker.sup.url}/api/events/stream?sessionId=sse1`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const frames: { id: string; event: string; data: Record<string, any> }[] = [];
    let buffer = '';
    expect((await call(worker, 'POST', '/api/sessions', { body: { sessionId: 'sse1' } })).status).toBeLessThan(300);
    expect((await call(worker, 'POST', '/api/sessions', { body: { sessionId: 'sse2' } })).status).toBeLessThan(300);
    const deadline = Date.now() + 15_000;
    while (frames.filter((f) => f.event === 'message').length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) continue;
        const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
        frames.push({ id: field('id'), event: field('event'), data: JSON.parse(field('data')) as Record<string, any> });
      }
    }
    abort.abort();
    dangling = (await fetch(`${worker.sup.url}/api/events/stream`, { headers: { authorization: `Bearer ${TOKEN}` } })).body!.getReader();
    expect(frames.every((f) => f.data.sessionId === 'sse1' && f.data.id === f.id && f.data.event === f.event)).toBe(true);
    expect(frames.filter((f) => f.event === 'message').map((f) => f.id)).toEqual(['sse1:IN-sse1-1', 'sse1:IN-sse1-2']);
    expect(frames.some((f) => f.event === 'session.status' && f.data.data.status === 'connected')).toBe(true);
  });
});

describe('an outbox that cannot be opened', () => {
  it('stops start-up with OUTBOX_UNAVAILABLE naming DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'obx-bad-'));
    mkdirSync(join(dataDir, 'outbox.sqlite')); // a folder where the database file should be
    try {
      const config = parseConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: dataDir, WEBHOOK_URL: 'http://127.0.0.1:9/hook' });
      await expect(startSupervisor(config, pino({ level: 'silent' }), { hostModulePath: fixtureHost('good') })).rejects.toMatchObject({ code: 'OUTBOX_UNAVAILABLE', message: expect.stringContaining(dataDir) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
