/**
 * Issue 16 §2 through the worker: an in-process supervisor forking real session hosts whose
 * trusted root is not the simulator's (a man in the middle's server). The API shows the session
 * `failed` / `untrusted_server`, the supervisor does not restart it (no reconnect storm), and the
 * server never issued a QR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertAuthority } from '../wa-sim/certs.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { call, REAL_HOST, startApiWorker, TOKEN, until, type ApiWorker } from '../api/support/api.js';

let sim: WaSim;
let w: ApiWorker;
let handshakes = 0;

beforeAll(async () => {
  sim = await startSimulator();
  sim.on('conn-error', () => undefined);
  sim.on('closed', () => void handshakes++);
  // Hosts inherit the supervisor's environment: the preload, told to trust another root.
  Object.assign(process.env, sim.childEnv(), {
    WA_SIM_ROOT_PUBLIC_KEY: makeCertAuthority().root.public.toString('base64'),
    NODE_OPTIONS: `--import ${sim.preloadPath}`,
  });
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'warn' }, REAL_HOST);
}, 60_000);

afterAll(async () => {
  await w?.close();
  await sim?.close();
  delete process.env.NODE_OPTIONS;
  delete process.env.WA_SIM_ROOT_PUBLIC_KEY;
});

describe('an untrusted WhatsApp server, seen through the API', () => {
  it('failed / untrusted_server, not restarted, no QR', async () => {
    expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: 'untrusted1' } })).status).toBeLessThan(300);
    const failed = await until(async () => {
      const v = (await call(w, 'GET', '/api/sessions/untrusted1')).body.data;
      return v?.status === 'failed' && v.pid === null ? v : undefined;
    }, 30_000, 'untrusted1 failed');
    expect(failed).toMatchObject({ status: 'failed', reason: 'untrusted_server', restarts: 0 });
    await new Promise((r) => setTimeout(r, 3_000));
    const later = (await call(w, 'GET', '/api/sessions/untrusted1')).body.data;
    expect(later).toMatchObject({ status: 'failed', reason: 'untrusted_server', restarts: 0, pid: null });
    expect((await call(w, 'GET', '/api/sessions/untrusted1/qr')).status).toBe(404);
    expect(sim.qrCount()).toBe(0);
    expect(handshakes).toBeLessThanOrEqual(1);
  });
});
