/**
 * Issue 13 §7: a logout unlinks the device on the phone, and auth never comes back. Standalone
 * worker (its own API), auth snapshots in a real S3 server, WhatsApp played by the simulator.
 *
 * - `idle`: paired, then disconnected (no host runs), then logged out: the worker starts a host
 *   only to tell WhatsApp; the simulator removes the device, the API shows `logged_out`, the auth
 *   folder and every snapshot are gone, and none reappears in S3 in the next 10 s.
 * - `offline`: disconnected, then logged out while WhatsApp does not answer its login: within
 *   LOGOUT_TIMEOUT_MS the logout is left pending (`disconnected`, reason `logout_pending`), the
 *   device and the auth stay; the next start logs out first, before anything else.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { api, createThroughApi, type E2ESession } from './support/sessions.js';
import { startWorld, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

let world: World;
let worker: E2EWorker;
let idle: E2ESession;
let offline: E2ESession;

beforeAll(async () => {
  world = await startWorld('lo');
  idle = { sessionId: `idle_${world.tag}`, phone: '15550404001', userId: 'user-idle' };
  offline = { sessionId: `offline_${world.tag}`, phone: '15550404002', userId: 'user-offline' };
  worker = await world.startWorker({ standalone: true, env: { LOGOUT_TIMEOUT_MS: '6000' } });
  await worker.until(() => true, 30_000, 'worker up');
  await createThroughApi(world, worker, idle, 60_000);
  await createThroughApi(world, worker, offline, 60_000);
  for (const s of [idle, offline]) {
    expect((await api(worker, 'POST', `/api/sessions/${s.sessionId}/disconnect`)).status).toBe(200);
    await until(async () => (await view(s)).status === 'disconnected' && hostPidsOf(s.sessionId).length === 0, 30_000, `${s.sessionId} disconnected`);
    expect(await world.store.headGeneration(s.sessionId)).toBeGreaterThanOrEqual(1);
  }
}, 180_000);

afterAll(async () => {
  await world?.close([idle, offline].filter(Boolean).map((s) => s.sessionId));
});

async function view(s: E2ESession): Promise<{ status: string; reason: string | null; pid: number | null }> {
  return (await api(worker, 'GET', `/api/sessions/${s.sessionId}`)).body?.data;
}

async function until(test: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${worker.tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const linked = (s: E2ESession): boolean => world.sim.devices().some((d) => d.phone === s.phone);

async function noAuthAnywhere(s: E2ESession): Promise<void> {
  expect(existsSync(join(world.dataDir, 'sessions', s.sessionId))).toBe(false);
  expect(await world.store.listGenerations(s.sessionId)).toEqual([]);
  expect(await world.store.headGeneration(s.sessionId)).toBeNull();
}

describe('logout of a session whose host is not running', () => {
  it('tells WhatsApp (the device is removed), deletes the auth everywhere, and no snapshot comes back', async () => {
    const removed = new Promise<{ phone: string }>((resolve) => {
      const on = (e: { phone: string }): void => {
        if (e.phone !== idle.phone) return;
        world.sim.off('device-removed', on);
        resolve(e);
      };
      world.sim.on('device-removed', on);
    });
    expect((await api(worker, 'POST', `/api/sessions/${idle.sessionId}/logout`)).status).toBe(200);
    await Promise.race([removed, new Promise((_, reject) => setTimeout(() => reject(new Error(`device never removed\n${worker.tail()}`)), 30_000))]);
    expect(linked(idle)).toBe(false);
    await until(async () => (await view(idle)).status === 'logged_out' && hostPidsOf(idle.sessionId).length === 0, 30_000, 'logged_out, no host');
    await noAuthAnywhere(idle);
    // A late upload (a host still flushing, a stale writer) would show up here.
    await new Promise((r) => setTimeout(r, 10_000));
    await noAuthAnywhere(idle);
    expect(linked(idle)).toBe(false);
  }, 90_000);

  it('WhatsApp unreachable: the logout stays pending and shown, auth kept; the next start logs out first', async () => {
    world.sim.failNextLogin(offline.phone, 'hang');
    expect((await api(worker, 'POST', `/api/sessions/${offline.sessionId}/logout`)).status).toBe(200);
    await until(async () => {
      const v = await view(offline);
      return v.status === 'disconnected' && v.reason === 'logout_pending' && hostPidsOf(offline.sessionId).length === 0;
    }, 40_000, 'logout pending');
    expect(linked(offline)).toBe(true);
    expect(await world.store.headGeneration(offline.sessionId)).toBeGreaterThanOrEqual(1);

    // The next start: it connects, logs out before anything else, and ends logged_out.
    expect((await api(worker, 'POST', `/api/sessions/${offline.sessionId}/restart`)).status).toBe(200);
    await until(async () => (await view(offline)).status === 'logged_out' && hostPidsOf(offline.sessionId).length === 0, 40_000, 'logged out on the next start');
    expect(linked(offline)).toBe(false);
    await noAuthAnywhere(offline);
  }, 120_000);
});
