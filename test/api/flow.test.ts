/**
 * The promise of the API with every part real: an in-process supervisor forking real session
 * hosts, each running real Baileys against the WhatsApp simulator. create → QR (string and PNG) →
 * scan → connected → send (the contact's phone gets it) → receive (the supervisor hears it) →
 * logout (WhatsApp forgets the device, auth gone), once on the canonical routes and once on the
 * compatibility aliases.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/ipc/protocol.js';
import type { SessionEvent } from '../../src/session-view.js';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { call, REAL_HOST, startApiWorker, TOKEN, until, type ApiWorker } from './support/api.js';

let sim: WaSim;
let w: ApiWorker;
const inbound: Array<{ sessionId: string; messages: IncomingMessage[] }> = [];
const tag = Math.random().toString(36).slice(2, 7);

beforeAll(async () => {
  sim = await startSimulator();
  // Hosts inherit the supervisor's environment (design.md §9): here that carries the simulator's
  // trust preload, as `node --import` on a supervisor started by hand would.
  Object.assign(process.env, sim.childEnv(), { NODE_OPTIONS: `--import ${sim.preloadPath}` });
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal' }, REAL_HOST);
  w.sup.sessions.registry.subscribe((e: SessionEvent) => {
    if (e.kind === 'message-in') inbound.push({ sessionId: e.sessionId, messages: e.messages });
  });
}, 60_000);

afterAll(async () => {
  await w?.close();
  await sim?.close();
  delete process.env.NODE_OPTIONS;
});

interface Routes {
  create: (id: string) => [string, string, unknown];
  qr: (id: string) => string;
  status: (id: string) => string;
  send: (id: string, to: string, text: string) => [string, unknown];
  logout: (id: string) => [string, string];
}

const canonical: Routes = {
  create: (id) => ['POST', '/api/sessions', { sessionId: id, userId: 'u-canon', name: 'Canonical' }],
  qr: (id) => `/api/sessions/${id}/qr`,
  status: (id) => `/api/sessions/${id}`,
  send: (id, to, text) => [`/api/sessions/${id}/messages`, { to, type: 'text', text }],
  logout: (id) => ['POST', `/api/sessions/${id}/logout`],
};

const aliases: Routes = {
  create: (id) => ['POST', '/api/session/start', { sessionId: id, userId: 'u-alias' }],
  qr: (id) => `/api/session/${id}/qr`,
  status: (id) => `/session/${id}/status`,
  send: (id, to, text) => [`/api/${id}/send`, { to, message: text }],
  logout: (id) => ['POST', `/api/session/${id}/logout`],
};

async function lifecycle(routes: Routes, sessionId: string, phone: string, contact: string): Promise<void> {
  const [method, path, body] = routes.create(sessionId);
  expect((await call(w, method, path, { body })).status).toBe(201);

  // QR: the raw string Baileys emitted, its expiry, and the same code as a PNG.
  const qr = await until(async () => {
    const r = await call(w, 'GET', routes.qr(sessionId));
    return r.status === 200 ? (r.body.data as { qr: string; expiresAt: string }) : undefined;
  }, 45_000, `a QR for ${sessionId}`);
  expect(qr.qr.length).toBeGreaterThan(20);
  expect(Date.parse(qr.expiresAt)).toBeGreaterThan(Date.now());
  const png = await call(w, 'GET', `${routes.qr(sessionId)}?format=png`);
  expect(png.status).toBe(200);
  expect(png.headers.get('content-type')).toBe('image/png');
  expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');

  // Before the scan the session is not connected: a send is refused, nothing reaches WhatsApp.
  const [sendPath, early] = routes.send(sessionId, contact, 'too early');
  const refused = await call(w, 'POST', sendPath, { body: early });
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('SESSION_NOT_CONNECTED');

  await sim.scan(qr.qr, { phone });
  const view = await until(async () => {
    const v = (await call(w, 'GET', routes.status(sessionId))).body.data;
    return v?.status === 'connected' && v.phoneNumber === phone ? v : undefined;
  }, 45_000, `${sessionId} connected`);
  expect(hostPidsOf(sessionId)).toEqual([view.pid]);

  // Send: the contact's phone (simulator) decrypts it; the answer carries WhatsApp's message id.
  const text = `hello from ${sessionId}`;
  const seen = new Promise<{ id: string; text: string }>((resolve) => {
    const on = (m: { id: string; text: string }): void => {
      if (m.text !== text) return;
      sim.off('message', on);
      resolve(m);
    };
    sim.on('message', on);
  });
  sim.registerContact(contact); // on WhatsApp: sends run a number check first (issue 19 §3)
  const [, good] = routes.send(sessionId, contact, text);
  const sent = await call(w, 'POST', sendPath, { body: good });
  expect(sent.status).toBe(200);
  expect(sent.body.data).toMatchObject({ to: `${contact}@s.whatsapp.net`, status: 'sent' });
  const got = await seen;
  expect(got.id).toBe(sent.body.data.messageId);

  // Receive: a message from the contact reaches the supervisor as a session event.
  const reply = `reply to ${sessionId}`;
  await sim.deliverText(contact, phone, reply);
  const heard = await until(async () => inbound.find((e) => e.sessionId === sessionId && e.messages.some((m) => m.text === reply)), 20_000, 'the incoming message');
  expect(heard.messages.find((m) => m.text === reply)).toMatchObject({ from: `${contact}@s.whatsapp.net`, type: 'text' });

  // Logout: WhatsApp forgets the device, the host exits, local auth is gone, the status stays.
  const [lm, lp] = routes.logout(sessionId);
  expect((await call(w, lm, lp)).status).toBe(200);
  const out = await until(async () => {
    const v = (await call(w, 'GET', routes.status(sessionId))).body.data;
    return v?.status === 'logged_out' && v.pid === null ? v : undefined;
  }, 30_000, `${sessionId} logged out`);
  expect(out.sessionId).toBe(sessionId);
  expect(sim.devices().filter((d) => d.phone === phone)).toEqual([]);
  expect(hostPidsOf(sessionId)).toEqual([]);
  expect(existsSync(join(w.dataDir, 'sessions', sessionId))).toBe(false);
}

describe('worker API with real hosts on the simulator', () => {
  it('canonical routes: create → QR → scan → connected → send → receive → logout', async () => {
    await lifecycle(canonical, `canon_${tag}`, '15550801001', '15550809001');
  }, 150_000);

  it('compatibility aliases: the same lifecycle, then DELETE forgets the session', async () => {
    const id = `alias_${tag}`;
    await lifecycle(aliases, id, '15550801002', '15550809002');
    expect((await call(w, 'DELETE', `/api/session/${id}`)).status).toBe(200);
    expect((await call(w, 'GET', `/api/session/${id}/status`)).status).toBe(404);
  }, 150_000);
});
