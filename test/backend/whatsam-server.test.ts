/**
 * The whatsam backend as a server (issue 20 §3), against the fake that answers as it does: a
 * graceful stop says OFFLINE on its worker-heartbeat webhook and never unregisters; a 404 on the
 * assignments (the backend forgot this worker) makes the worker register again and keep every
 * session, while `200 []` is "none assigned".
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../fake-backend/server.js';
import { makeWorker, tempDir, TOKEN, until } from './support/harness.js';

let fake: FakeBackend;
let dir: { path: string; remove: () => Promise<void> };
const stops: Array<() => Promise<void>> = [];

beforeEach(async () => {
  fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN });
  dir = await tempDir();
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await fake.close();
  await dir.remove();
});

async function worker() {
  const w = await makeWorker({ url: fake.url, profile: 'whatsam', dataDir: dir.path, env: { WORKER_ID: 'worker-w1' } });
  stops.push(() => w.stop());
  return w;
}

describe('whatsam backend as a server', () => {
  it('a graceful stop says OFFLINE on the worker-heartbeat webhook, after the last heartbeat, and never unregisters', async () => {
    fake.setAssignments('worker-w1', [{ sessionId: 's1' }]);
    const w = await worker();
    await w.integration.start();
    await w.stop();
    const offline = fake.callsTo('worker-heartbeat');
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatchObject({ valid: true, status: 200, body: { workerId: 'worker-w1', status: 'OFFLINE' } });
    expect(fake.callsTo('unregister')).toEqual([]);
    const lastHeartbeat = fake.callsTo('heartbeat').at(-1);
    if (lastHeartbeat) expect(lastHeartbeat.at).toBeLessThanOrEqual(offline[0]!.at);
    // Still registered at the backend: the next start recovers its sessions.
    expect(fake.workers.has('worker-w1')).toBe(true);
  });

  it('404 on the assignments means "worker unknown": it registers again and releases nothing', async () => {
    fake.setAssignments('worker-w1', [{ sessionId: 's1' }, { sessionId: 's2' }]);
    const w = await worker();
    const specs = await w.integration.start();
    expect(specs.map((s) => s.sessionId)).toEqual(['s1', 's2']);
    const registrations = fake.callsTo('register').length;
    fake.forget('worker-w1');
    await until(() => fake.callsTo('register').length > registrations, 10_000, 're-registration after the 404');
    expect(w.directory.released).toEqual([]);
  });
});
