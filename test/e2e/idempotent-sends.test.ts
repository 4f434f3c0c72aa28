/**
 * Issue 14 §3: sends that are never duplicated. The simulator holds back its answer to the send's
 * own device-list query (usync) past the send's confirm timeout; the API answers 202 `pending`
 * instead of an error, the client retries with the same `Idempotency-Key`, and the contact
 * receives exactly one message. The key keeps answering the first outcome after `kill -9` of the
 * host and after a worker restart; a recipient's retry request after the host restart is answered
 * from the stored message (`getMessage`). Real parts: compiled supervisor, Baileys hosts, the
 * simulator, S3 and the fake backend (which records the message-status events).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimMessage } from '../wa-sim/index.js';
import { waitFor } from '../supervisor/support/journal.js';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { startOneSessionWorld } from './support/one-session.js';
import type { E2ESession } from './support/sessions.js';
import { TOKEN, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

const CONTACT = '15550505999';
const TEXT = 'exactly once, please';
const KEY = 'order-4711-confirmation';
const CONFIRM_MS = 2_000;

let world: World;
let session: E2ESession;
let worker: E2EWorker;
const seen: SimMessage[] = [];

beforeAll(async () => {
  ({ world, session, worker } = await startOneSessionWorld('idem', { prefix: 'idem', phone: 15550505001, contacts: [CONTACT], env: { SEND_CONFIRM_TIMEOUT_MS: String(CONFIRM_MS) } }));
  world.sim.on('message', (m: SimMessage) => seen.push(m)); // nothing is sent before the tests
}, 120_000);

afterAll(async () => {
  await world?.close(session ? [session.sessionId] : []);
});

interface Answer {
  status: number;
  replayed: string | null;
  body: { data?: { messageId: string; status: string; to: string; clientMessageId?: string }; error?: { code: string } };
}

/** A client's send: gives up after `timeoutMs` (undefined = no answer), as real clients do. */
async function send(text: string, key: string | undefined, timeoutMs = 10_000, to = CONTACT): Promise<Answer | undefined> {
  try {
    const res = await fetch(`${worker.url}/api/sessions/${session.sessionId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ to, type: 'text', text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as Answer['body'] };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return undefined;
    throw err;
  }
}

/** Distinct WhatsApp messages the contact received with `text` (a retry resend keeps its id). */
const received = (text: string, to = CONTACT): string[] => [...new Set(seen.filter((m) => m.to === to && m.text === text).map((m) => m.id))];

let messageId = '';

describe('a send held past its timeout and retried with the same key is delivered once', () => {
  it('202 pending, the retry names the same message, the contact receives exactly one', async () => {
    const hold = world.sim.holdNext('usync', session.phone);
    const first = await send(TEXT, KEY);
    await hold.caught;
    // Old code: no answer (or 504) while WhatsApp is slow, and the client's retry sends again.
    expect(first?.status).toBe(202);
    expect(first!.body.data).toMatchObject({ status: 'pending', clientMessageId: KEY, to: `${CONTACT}@s.whatsapp.net` });
    messageId = first!.body.data!.messageId;

    const retry = await send(TEXT, KEY);
    expect(retry?.status).toBe(202);
    expect(retry!.body.data).toMatchObject({ messageId, status: 'pending' });
    expect(retry!.replayed).toBe('true');

    hold.release();
    await waitFor(() => received(TEXT).length > 0 || undefined, 30_000, 'the message at the contact');
    // The outcome of the pending send follows as a message-status event.
    const status = await world.waitCall((c) => c.route === 'message-status' && (c.body as { messageId?: string }).messageId === messageId && (c.body as { status?: string }).status === 'sent', 30_000);
    expect(status.valid).toBe(true);

    const after = await send(TEXT, KEY);
    expect(after).toMatchObject({ status: 200, replayed: 'true' });
    expect(after!.body.data).toMatchObject({ messageId, status: 'sent' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received(TEXT)).toEqual([messageId]);
  }, 90_000);

  it('the same key with another body is refused with 422 and sends nothing', async () => {
    const other = await send('a different text', KEY);
    expect(other?.status).toBe(422);
    expect(other!.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received('a different text')).toEqual([]);
  });

  it('after kill -9 of the host the key still answers the first outcome, and a retry request is answered from the stored message', async () => {
    const [pid] = hostPidsOf(session.sessionId);
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => (hostPidsOf(session.sessionId)[0] ?? pid) !== pid || undefined, 15_000, 'a new host');
    await worker.connected(1, 60_000);
    const again = await send(TEXT, KEY);
    expect(again).toMatchObject({ status: 200, replayed: 'true' });
    expect(again!.body.data).toMatchObject({ messageId, status: 'sent' });

    // The contact could not decrypt it and asks again: Baileys' own cache died with the old host.
    const before = seen.filter((m) => m.id === messageId).length;
    world.sim.requestRetry(CONTACT, session.phone, messageId);
    await waitFor(() => seen.filter((m) => m.id === messageId).length > before || undefined, 30_000, 'the resent message at the contact');
    expect(seen.filter((m) => m.id === messageId).at(-1)).toMatchObject({ text: TEXT, to: CONTACT });
    expect(received(TEXT)).toEqual([messageId]);
  }, 90_000);

  it('kill -9 of the host while its send is held: reported failed, never sent, and the key answers that failure', async () => {
    const other = '15550505998'; // a contact the host has no device list for yet: its send asks
    world.sim.registerContact(other);
    const hold = world.sim.holdNext('usync', session.phone);
    const first = await send('interrupted', 'key-interrupted', 10_000, other);
    await hold.caught;
    expect(first?.status).toBe(202);
    const id = first!.body.data!.messageId;
    const [pid] = hostPidsOf(session.sessionId);
    process.kill(pid!, 'SIGKILL');
    await waitFor(() => (hostPidsOf(session.sessionId)[0] ?? pid) !== pid || undefined, 15_000, 'a new host');
    // The restarted host finds the send it never finished and reports it failed.
    const failed = await world.waitCall((c) => c.route === 'message-status' && (c.body as { messageId?: string }).messageId === id && (c.body as { status?: string }).status === 'failed', 30_000);
    expect(failed.valid).toBe(true);
    hold.release(); // the old connection is gone: nothing can go out any more
    await worker.connected(1, 60_000);
    const retry = await send('interrupted', 'key-interrupted', 10_000, other);
    expect(retry?.status).toBe(502);
    expect(retry!.body.error?.code).toBe('SEND_INTERRUPTED');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received('interrupted', other)).toEqual([]);
  }, 120_000);

  it('after a worker restart (SIGTERM, start) the key still answers the first outcome', async () => {
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    worker = await world.startWorker({ env: { SEND_CONFIRM_TIMEOUT_MS: String(CONFIRM_MS) } });
    await worker.connected(1, 60_000);
    const again = await send(TEXT, KEY);
    expect(again).toMatchObject({ status: 200, replayed: 'true' });
    expect(again!.body.data).toMatchObject({ messageId, status: 'sent' });
    expect(received(TEXT)).toEqual([messageId]);
    expect(world.backend.invalidCalls()).toEqual([]);
  }, 120_000);
});
