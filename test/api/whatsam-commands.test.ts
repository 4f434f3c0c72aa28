/**
 * The whatsam backend's own commands (its proxy.service.js, bodies as its controllers build them)
 * against a real supervisor forking real session hosts on the WhatsApp simulator: start → status
 * (top-level status/qrCode) → scan → send of every type it knows → manage (reaction, edit, unsend,
 * delete, read, star, unstar) → bodiless disconnect/restart/logout with `Content-Type:
 * application/json` → DELETE. What the contact's phone (the simulator) decrypts or receives is
 * checked: message content, read receipts, typing stanzas. Star, unstar and delete-for-me are app
 * state patches the simulator does not sync (test/wa-sim/README.md): their Baileys call is checked
 * in whatsam-pure.test.ts, and here only their answer.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionFileName } from '../../src/session-id.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { call, REAL_HOST, startApiWorker, TOKEN, until, type ApiWorker } from './support/api.js';

let sim: WaSim;
let w: ApiWorker;
let media: Server;
let mediaUrl = '';
const tag = Math.random().toString(36).slice(2, 7);
// What the backend's session controller names a session: `${userId}-${name lowercased}-${ms}`.
const USER = '3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b';
const SESSION = `${USER}-${'customer support line for the northern region'.replace(/\s+/g, '-')}-${tag}-1764748800123`;
const PHONE = '15550811001';
const CONTACT = '15550819001';
const TO = `${CONTACT}@s.whatsapp.net`;

interface SimMsg { id: string; text: string; to: string; content: Record<string, any> }
interface Stanza { phone: string; tag: string; attrs: Record<string, string>; children: Array<{ tag: string; attrs: Record<string, string> }> }

beforeAll(async () => {
  sim = await startSimulator();
  sim.registerContact(CONTACT); // on WhatsApp: sends run a number check first (issue 19 §3)
  Object.assign(process.env, sim.childEnv(), { NODE_OPTIONS: `--import ${sim.preloadPath}` });
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WA_WEBSOCKET_URL: sim.url, MEDIA_ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal' }, REAL_HOST);
  media = createServer((_req, res) => res.end(Buffer.alloc(64, 1)));
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
  mediaUrl = `http://127.0.0.1:${(media.address() as { port: number }).port}/file.bin`;
}, 60_000);

afterAll(async () => {
  await w?.close();
  await sim?.close();
  await new Promise<void>((r) => (media ? media.close(() => r()) : r()));
  delete process.env.NODE_OPTIONS;
});

/** The backend's axios: JSON content type on every request, with or without a body. */
function backend(method: string, path: string, body?: unknown) {
  if (method === 'GET') return call(w, method, path);
  return call(w, method, path, body === undefined ? { contentType: 'application/json', raw: '' } : { body });
}

/** The next simulator event that matches, or a rejection naming what was seen instead. */
function next<T>(event: string, what: string, match: (e: T) => boolean): Promise<T> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sim.off(event, on);
      reject(new Error(`no ${event} ${what} within 20 s; saw ${seen.slice(-5).join(' | ')}`));
    }, 20_000);
    const on = (e: T): void => {
      seen.push(JSON.stringify(e).slice(0, 300));
      if (!match(e)) return;
      clearTimeout(timer);
      sim.off(event, on);
      resolve(e);
    };
    sim.on(event, on);
  });
}
const nextMessage = (match: (m: SimMsg) => boolean, what = ''): Promise<SimMsg> => next<SimMsg>('message', what, (m) => m.to === CONTACT && match(m));
const nextStanza = (match: (s: Stanza) => boolean, what = ''): Promise<Stanza> => next<Stanza>('client-stanza', what, (s) => s.phone === PHONE && match(s));

async function send(body: Record<string, unknown>) {
  const r = await backend('POST', `/api/${encodeURIComponent(SESSION)}/send`, { to: TO, ...body });
  return r;
}

async function manage(body: Record<string, unknown>) {
  return backend('POST', `/api/message/${encodeURIComponent(SESSION)}/manage`, { phone: TO, ...body });
}

const path = (suffix = '') => `/api/sessions/${encodeURIComponent(SESSION)}${suffix}`;

describe("the whatsam backend's commands on real hosts", () => {
  it('start → status → scan → every send type → manage → disconnect/restart/logout → delete', async () => {
    expect(SESSION.length).toBeGreaterThan(100);
    // start: created (201); the backend reads `status` and `qrCode` from the top level.
    const started = await backend('POST', '/api/sessions/start', { sessionId: SESSION, userId: USER, sessionName: 'Customer Support' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ success: true, status: expect.stringMatching(/^(INIT|QR_REQUIRED)$/), data: { sessionId: SESSION, userId: USER, name: 'Customer Support' } });
    expect('qrCode' in started.body).toBe(true);
    // Idempotent, like the canonical create.
    expect((await backend('POST', '/api/sessions/start', { sessionId: SESSION, userId: USER, sessionName: 'Customer Support' })).status).toBe(200);

    const qr = await until(async () => {
      const r = await backend('GET', path('/status'));
      return r.body.status === 'QR_REQUIRED' && r.body.qrCode ? (r.body.qrCode as string) : undefined;
    }, 45_000, 'QR_REQUIRED with a qrCode at the top level');
    expect(qr).toBe((await backend('GET', path('/status'))).body.data.qr);

    await sim.scan(qr, { phone: PHONE });
    const connected = await until(async () => {
      const r = await backend('GET', path('/status'));
      return r.body.status === 'CONNECTED' ? r.body : undefined;
    }, 45_000, 'CONNECTED');
    expect(connected).toMatchObject({ phoneNumber: PHONE, data: { status: 'connected', phoneNumber: PHONE } });
    // The auth folder got the safe name of the long id.
    expect(sessionFileName(SESSION)).toBe(SESSION);

    // text
    let got = nextMessage((m) => m.text === 'hello whatsam');
    const text = await send({ type: 'text', message: 'hello whatsam' });
    expect(text.status).toBe(200);
    expect(text.body.data).toMatchObject({ status: 'sent', to: TO });
    expect((await got).id).toBe(text.body.data.messageId);

    // location
    got = nextMessage((m) => m.content.locationMessage !== undefined);
    const loc = await send({ type: 'location', location: { latitude: -6.2088, longitude: 106.8456, name: 'Jakarta', address: 'Jakarta, Indonesia' } });
    expect(loc.status).toBe(200);
    expect((await got).content.locationMessage).toMatchObject({ degreesLatitude: -6.2088, degreesLongitude: 106.8456, name: 'Jakarta', address: 'Jakarta, Indonesia' });

    // contact (a vCard)
    got = nextMessage((m) => m.content.contactMessage !== undefined);
    const contact = await send({ type: 'contact', contact: { name: 'John Doe', phone: '+1234567890', email: 'john.doe@example.com', organization: 'Acme; Inc' } });
    expect(contact.status).toBe(200);
    const card = (await got).content.contactMessage;
    expect(card.displayName).toBe('John Doe');
    expect(card.vcard).toContain('FN:John Doe');
    expect(card.vcard).toContain('waid=1234567890:+1234567890');
    expect(card.vcard).toContain('ORG:Acme\\; Inc');
    expect(card.vcard).toContain('EMAIL:john.doe@example.com');

    // link, with the backend's custom preview (no page is fetched)
    got = nextMessage((m) => m.content.extendedTextMessage?.matchedText === 'https://example.com/page');
    const link = await send({ type: 'link', link: { url: 'https://example.com/page', title: 'Example', description: 'An example page' } });
    expect(link.status).toBe(200);
    expect((await got).content.extendedTextMessage).toMatchObject({ text: 'https://example.com/page', title: 'Example', description: 'An example page' });

    // poll (multipleAnswers → any number of answers)
    got = nextMessage((m) => JSON.stringify(m.content).includes('Lunch?'));
    const poll = await send({ type: 'poll', poll: { question: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'], multipleAnswers: true } });
    expect(poll.status).toBe(200);
    const pollContent = (await got).content;
    const creation = pollContent.pollCreationMessage ?? pollContent.pollCreationMessageV3 ?? pollContent.pollCreationMessageV2;
    expect(creation).toMatchObject({ name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }, { optionName: 'Salad' }] });
    expect(creation.selectableOptionsCount ?? 0).toBe(0);

    // media by `mediaUrl`: the host fetches it (the canonical media path and its limits; the test
    // server is on loopback, so MEDIA_ALLOW_PRIVATE_URLS is on) and the contact's phone decrypts it.
    const bytes = Buffer.alloc(64, 1);
    for (const type of ['image', 'video', 'audio', 'document'] as const) {
      const received = next<{ to: string; type: string; caption?: string; fileName?: string; data: Buffer }>('media', type, (m) => m.to === CONTACT && m.type === type);
      const body = { type, mediaUrl, ...(type === 'audio' ? {} : { caption: `a ${type}` }), ...(type === 'document' ? { filename: 'report.pdf' } : {}) };
      const r = await send(body);
      expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(200);
      const m = await received;
      expect(Buffer.from(m.data).equals(bytes), type).toBe(true);
      if (type !== 'audio') expect(m.caption).toBe(`a ${type}`);
      if (type === 'document') expect(m.fileName).toBe('report.pdf');
    }

    // seen: a read receipt for the contact's message
    const incomingId = await sim.deliverText(CONTACT, PHONE, 'please read me');
    const readStanza = nextStanza((s) => s.tag === 'receipt' && s.attrs.type === 'read');
    const seen = await send({ type: 'seen', messageId: incomingId });
    expect(seen.status).toBe(200);
    expect(seen.body.data.messageId).toBeNull();
    expect((await readStanza).attrs.id).toBe(incomingId);

    // typing_start / typing_stop: chatstate stanzas
    const composing = nextStanza((s) => s.tag === 'chatstate' && s.children.some((c) => c.tag === 'composing'));
    expect((await send({ type: 'typing_start' })).status).toBe(200);
    await composing;
    const paused = nextStanza((s) => s.tag === 'chatstate' && s.children.some((c) => c.tag === 'paused'));
    expect((await send({ type: 'typing_stop' })).status).toBe(200);
    await paused;

    // manage: reaction, edit, unsend, delete for everyone on our own messages
    const target = text.body.data.messageId as string;
    got = nextMessage((m) => m.content.reactionMessage !== undefined);
    const react = await manage({ action: 'reaction', messageId: target, emoji: '👍' });
    expect(react.status).toBe(200);
    expect(react.body.data).toMatchObject({ action: 'reaction', messageId: target, resultMessageId: expect.any(String) });
    expect((await got).content.reactionMessage).toMatchObject({ text: '👍', key: { id: target, fromMe: true } });

    got = nextMessage((m) => m.content.protocolMessage?.type === 'MESSAGE_EDIT' || m.content.editedMessage !== undefined);
    const edit = await manage({ action: 'edit', messageId: target, newText: 'hello, edited' });
    expect(edit.status).toBe(200);
    expect(JSON.stringify((await got).content)).toContain('hello, edited');

    got = nextMessage((m) => m.content.protocolMessage?.type === 'REVOKE');
    const unsend = await manage({ action: 'unsend', messageId: target });
    expect(unsend.status).toBe(200);
    expect((await got).content.protocolMessage.key).toMatchObject({ id: target, fromMe: true });

    const other = loc.body.data.messageId as string;
    got = nextMessage((m) => m.content.protocolMessage?.type === 'REVOKE' && m.content.protocolMessage.key.id === other);
    expect((await manage({ action: 'delete', messageId: other, forEveryone: true })).status).toBe(200);
    await got;

    // read (with the backend's messageKey)
    const second = await sim.deliverText(CONTACT, PHONE, 'read me too');
    const read2 = nextStanza((s) => s.tag === 'receipt' && s.attrs.type === 'read' && s.attrs.id === second);
    expect((await manage({ action: 'read', messageId: second, jid: TO, messageKey: { remoteJid: TO, fromMe: false, id: second } })).status).toBe(200);
    await read2;

    // star / unstar / delete for me: app state patches. The simulator's phone never shares app
    // state keys, so Baileys refuses to build the patch: a clear 409 APP_STATE_NOT_READY.
    for (const body of [{ action: 'star', messageId: other }, { action: 'unstar', messageId: other }, { action: 'delete', messageId: other, forEveryone: false }]) {
      const r = await manage(body);
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'APP_STATE_NOT_READY', message: expect.stringContaining('app state keys') });
    }

    // Strict like the canonical routes: an unknown field or a wrong type is a 400, nothing sent.
    for (const bad of [{ type: 'text', message: 'x', extra: 1 }, { type: 'location', location: { latitude: 91, longitude: 0 } }, { type: 'poll', poll: { question: 'q', options: ['only'] } }, { type: 'sticker' }]) {
      const r = await send(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await manage({ action: 'explode', messageId: target })).status).toBe(400);

    // Bodiless commands with Content-Type: application/json, as its axios sends them.
    const disconnected = await backend('POST', path('/disconnect'));
    expect(disconnected.status).toBe(200);
    await until(async () => ((await backend('GET', path('/status'))).body.status === 'DISCONNECTED' ? true : undefined), 20_000, 'DISCONNECTED');
    expect((await backend('POST', path('/restart'))).status).toBe(200);
    await until(async () => ((await backend('GET', path('/status'))).body.status === 'CONNECTED' ? true : undefined), 45_000, 'CONNECTED again without a QR');
    expect((await backend('POST', path('/logout'))).status).toBe(200);
    await until(async () => ((await backend('GET', path('/status'))).body.data?.status === 'logged_out' ? true : undefined), 30_000, 'logged out');
    expect(sim.devices().filter((d) => d.phone === PHONE)).toEqual([]);
    const deleted = await backend('DELETE', path());
    expect(deleted.status).toBe(200);
    expect((await backend('GET', path('/status'))).status).toBe(404);
  }, 240_000);
});
