/**
 * Issue 19 §3 through the whole worker: an in-process supervisor, a real session host and Baileys
 * against the simulator. `GET /api/sessions/:id/contacts/:phone` answers whether a number is on
 * WhatsApp; a send (canonical route and the original worker's alias) to a number that is not
 * answers 422 RECIPIENT_NOT_ON_WHATSAPP and nothing reaches WhatsApp.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { call, REAL_HOST, startApiWorker, TOKEN, until, type ApiWorker } from './support/api.js';

const SESSION = 'contacts-api';
const PHONE = '15550781001';
const KNOWN = '15550781002';
const UNKNOWN = '15550781003';

let sim: WaSim;
let w: ApiWorker;
const seen: Array<{ to: string; text: string }> = [];

beforeAll(async () => {
  sim = await startSimulator();
  Object.assign(process.env, sim.childEnv(), { NODE_OPTIONS: `--import ${sim.preloadPath}` });
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal' }, REAL_HOST);
  sim.on('message', (m: { to: string; text: string }) => seen.push(m));
  expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: SESSION } })).status).toBe(201);
  const qr = await until(async () => {
    const r = await call(w, 'GET', `/api/sessions/${SESSION}/qr`);
    return r.status === 200 ? (r.body.data as { qr: string }) : undefined;
  }, 45_000, 'a QR');
  await sim.scan(qr.qr, { phone: PHONE });
  await until(async () => ((await call(w, 'GET', `/api/sessions/${SESSION}`)).body.data?.status === 'connected' ? true : undefined), 45_000, 'connected');
  sim.registerContact(KNOWN);
}, 120_000);

afterAll(async () => {
  await w?.close();
  await sim?.close();
  delete process.env.NODE_OPTIONS;
});

describe('number checks', () => {
  it('GET contacts/:phone: a known number with its JID, an unknown one absent', async () => {
    const known = await call(w, 'GET', `/api/sessions/${SESSION}/contacts/+${KNOWN}`);
    expect(known.status).toBe(200);
    expect(known.body.data).toEqual({ phone: KNOWN, exists: true, jid: `${KNOWN}@s.whatsapp.net` });
    const unknown = await call(w, 'GET', `/api/sessions/${SESSION}/contacts/${UNKNOWN}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toEqual({ phone: UNKNOWN, exists: false, jid: null });
  });

  it('bad input and unknown sessions are refused with a code', async () => {
    expect((await call(w, 'GET', `/api/sessions/${SESSION}/contacts/0123`)).body.error.code).toBe('INVALID_RECIPIENT');
    expect((await call(w, 'GET', `/api/sessions/${SESSION}/contacts/${KNOWN}@s.whatsapp.net`)).status).toBe(400);
    const missing = await call(w, 'GET', `/api/sessions/nobody/contacts/${KNOWN}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SESSION_NOT_FOUND');
  });

  it('a send to a number not on WhatsApp: 422 RECIPIENT_NOT_ON_WHATSAPP on both routes, nothing sent', async () => {
    const canonical = await call(w, 'POST', `/api/sessions/${SESSION}/messages`, { body: { to: UNKNOWN, type: 'text', text: 'into the void' } });
    expect(canonical.status).toBe(422);
    expect(canonical.body.error.code).toBe('RECIPIENT_NOT_ON_WHATSAPP');
    const alias = await call(w, 'POST', `/api/${SESSION}/send`, { body: { to: UNKNOWN, message: 'into the void too' } });
    expect(alias.status).toBe(422);
    expect(alias.body.error.code).toBe('RECIPIENT_NOT_ON_WHATSAPP');
    const ok = await call(w, 'POST', `/api/sessions/${SESSION}/messages`, { body: { to: KNOWN, type: 'text', text: 'to a known number' } });
    expect(ok.status).toBe(200);
    await until(async () => (seen.some((m) => m.text === 'to a known number') ? true : undefined), 15_000, 'the known contact got it');
    expect(seen.filter((m) => m.to === UNKNOWN)).toEqual([]);
  });
});
