/**
 * Issue 19 §2 end to end: the compiled worker (backend mode, seed profile) with a default
 * WA_PROXY_URL (SOCKS5) and a session moved by `PATCH /api/sessions/:id` onto its own HTTP
 * CONNECT proxy — real proxies on loopback, the simulator, the fake backend, s3rver. Proves: the
 * host reconnects through the new proxy with no QR; bad input changes nothing; the setting
 * survives a worker restart; a dead proxy shows `reconnecting` / `proxy_unreachable` in the API and
 * the backend's events, and heals by itself; no password anywhere (API, logs, backend calls).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, startSocksProxy, type LoopbackProxy } from '../support/proxies/loopback-proxy.js';
import { api, createThroughBackend, makeSessions, statusEvents, type E2ESession } from './support/sessions.js';
import { startWorld, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

const HTTP_AUTH = { user: 'op', password: 'HttpPassw0rdX' };
const SOCKS_AUTH = { user: 'op', password: 'SocksPassw0rdY' };
let world: World;
let http: LoopbackProxy;
let socks: LoopbackProxy;
let worker: E2EWorker;
let session: E2ESession;
const output: string[] = [];

beforeAll(async () => {
  world = await startWorld('px');
  http = await startHttpProxy(HTTP_AUTH);
  socks = await startSocksProxy(SOCKS_AUTH);
  [session] = makeSessions(world, 'px', 1, 15550606001) as [E2ESession];
  worker = await world.startWorker({ env: { WA_PROXY_URL: socks.url({ auth: SOCKS_AUTH }), LOG_LEVEL: 'info' } });
  await worker.until((h) => h.recovery?.phase === 'done', 60_000, 'recovery of an empty start');
}, 90_000);

afterAll(async () => {
  await world?.close(session ? [session.sessionId] : []);
  await http?.close();
  await socks?.close();
});

const simTarget = () => new URL(world.sim.url).host;
async function view(): Promise<Record<string, any>> {
  const r = await api(worker, 'GET', `/api/sessions/${session.sessionId}`);
  expect(r.status).toBe(200);
  return r.body.data as Record<string, any>;
}
async function until(test: (v: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view();
    if (test(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(v)}\n${worker.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('per-session proxy through the worker API', () => {
  it('a session without its own proxy uses WA_PROXY_URL (shown redacted, source default)', async () => {
    await createThroughBackend(world, [], [session], 90_000);
    const v = await view();
    expect(v.proxy).toEqual({ url: `socks5h://op:***@127.0.0.1:${socks.port}`, source: 'default' });
    expect(socks.targets).toContain(simTarget());
    expect(http.targets).toHaveLength(0);
  }, 120_000);

  it('bad input answers 4xx with a code and changes nothing', async () => {
    const before = await view();
    const cases: Array<[unknown, number, string]> = [
      [{ proxy: 'ftp://u:Leak3d@h:21' }, 400, 'PROXY_URL_INVALID'],
      [{ proxy: 'http://h' }, 400, 'PROXY_URL_INVALID'],
      [{ proxy: 42 }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
      [{ proxy: null, other: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await api(worker, 'PATCH', `/api/sessions/${session.sessionId}`, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(JSON.stringify(r.body)).not.toContain('Leak3d');
    }
    const missing = await api(worker, 'PATCH', '/api/sessions/nobody-here', { proxy: null });
    expect(missing.status).toBe(404);
    const after = await view();
    expect(after).toMatchObject({ pid: before.pid, proxy: before.proxy, status: 'connected' });
  });

  it('PATCH moves the session onto its own proxy: the host restarts through it, no QR', async () => {
    const before = await view();
    const qrs = world.sim.qrCount();
    const r = await api(worker, 'PATCH', `/api/sessions/${session.sessionId}`, { proxy: http.url({ auth: HTTP_AUTH }) });
    expect(r.status).toBe(200);
    expect(r.body.data.proxy).toEqual({ url: `http://op:***@127.0.0.1:${http.port}`, source: 'session' });
    const v = await until((x) => x.status === 'connected' && x.pid !== before.pid && x.pid !== null, 60_000, 'connected on a new host');
    expect(v.phoneNumber).toBe(session.phone);
    expect(http.targets).toContain(simTarget());
    expect(world.sim.qrCount()).toBe(qrs);
    // Saved in DATA_DIR, private to the worker's user.
    const file = join(world.dataDir, 'session-settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).sessions[session.sessionId].proxy).toBe(http.url({ auth: HTTP_AUTH }));
    expect(statSync(file).mode & 0o077).toBe(0);
  }, 90_000);

  it('the setting survives a worker restart: recovered through the same proxy, no QR', async () => {
    const qrs = world.sim.qrCount();
    output.push(worker.tail(1_000_000));
    expect((await worker.stop()).code).toBe(0);
    const seen = http.targets.length;
    worker = await world.startWorker({ env: { WA_PROXY_URL: socks.url({ auth: SOCKS_AUTH }), LOG_LEVEL: 'info' } });
    await worker.recoveryDone(90_000);
    const v = await until((x) => x.status === 'connected', 90_000, 'recovered');
    expect(v.proxy).toEqual({ url: `http://op:***@127.0.0.1:${http.port}`, source: 'session' });
    expect(http.targets.slice(seen)).toContain(simTarget());
    expect(world.sim.qrCount()).toBe(qrs);
  }, 150_000);

  it('a dead proxy: reconnecting / proxy_unreachable (API and backend events), never failed; back: connected, no QR', async () => {
    const qrs = world.sim.qrCount();
    const since = Date.now();
    await http.stop();
    await until((x) => x.status === 'reconnecting' && x.reason === 'proxy_unreachable', 60_000, 'reconnecting / proxy_unreachable');
    await world.waitCall(() => statusEvents(world, session.sessionId, since).some((e) => e.status === 'reconnecting' && e.reason === 'proxy_unreachable'), 30_000);
    await http.restart();
    await until((x) => x.status === 'connected' && x.reason === null, 90_000, 'connected again');
    expect(statusEvents(world, session.sessionId, since).some((e) => e.status === 'failed')).toBe(false);
    expect(world.sim.qrCount()).toBe(qrs);
  }, 180_000);

  it('proxy: null falls back to WA_PROXY_URL (host restarted through it)', async () => {
    const seen = socks.targets.length;
    const r = await api(worker, 'PATCH', `/api/sessions/${session.sessionId}`, { proxy: null });
    expect(r.body.data.proxy).toEqual({ url: `socks5h://op:***@127.0.0.1:${socks.port}`, source: 'default' });
    await until((x) => x.status === 'connected' && socks.targets.length > seen, 60_000, 'connected through the default proxy');
    expect(JSON.parse(readFileSync(join(world.dataDir, 'session-settings.json'), 'utf8')).sessions).toEqual({});
  }, 90_000);

  it('no password in any API answer, log line or backend call', async () => {
    const list = await api(worker, 'GET', '/api/sessions');
    const everything = [JSON.stringify(list.body), ...output, worker.tail(1_000_000), JSON.stringify(world.backend.calls)].join('\n');
    for (const secret of [HTTP_AUTH.password, SOCKS_AUTH.password]) expect(everything).not.toContain(secret);
    expect(everything).toContain('op:***@127.0.0.1');
  });
});
