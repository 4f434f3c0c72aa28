/**
 * Issue 16 §1, end to end: the worker (real supervisor, real hosts sharing its stdout/stderr) at
 * LOG_LEVEL=debug, standalone. A session is created through the API and paired, messages go both
 * ways, its host is killed with SIGKILL and recovers, messages go both ways again; then no secret
 * key of the session's auth folder appears anywhere in the worker's output.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createThroughApi, makeSessions, type E2ESession } from '../e2e/support/sessions.js';
import type { E2EWorker } from '../e2e/support/worker.js';
import { startWorld, type World } from '../e2e/support/world.js';
import { leaks, secretKeysIn } from './key-material.js';

let world: World;
let s: E2ESession;
let worker: E2EWorker;

beforeAll(async () => {
  world = await startWorld('keys');
  [s] = makeSessions(world, 'keys', 1, 15550707001) as [E2ESession];
  worker = await world.startWorker({ standalone: true, env: { LOG_LEVEL: 'debug' } });
  await worker.until((h) => h.recovery?.phase === 'done', 30_000, 'an empty standalone worker');
}, 60_000);

afterAll(async () => {
  await world?.close(s ? [s.sessionId] : []);
});

async function bothWays(contact: string, text: string): Promise<void> {
  world.sim.registerContact(contact); // sends run a number check first (issue 19 §3)
  const out = await api(worker, 'POST', `/api/sessions/${s.sessionId}/messages`, { to: contact, type: 'text', text: `${text} out` });
  expect(out.status).toBeLessThan(300);
  // Resolves on the linked device's delivery receipt: the host decrypted it.
  await world.sim.deliverText(contact, s.phone, `${text} in`);
}

async function pidOf(): Promise<number | undefined> {
  const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}`);
  return r.body?.data?.status === 'connected' ? (r.body.data.pid as number) : undefined;
}

describe('worker output', () => {
  it('holds no key of the auth state after pairing, messages, kill -9 and recovery', async () => {
    await createThroughApi(world, worker, s, 60_000);
    await world.sim.deliverText('15550707101', s.phone, 'a contact writes first');
    await bothWays('15550707102', 'written to first');
    await bothWays('15550707101', 'again');

    const before = (await pidOf())!;
    process.kill(before, 'SIGKILL');
    const deadline = Date.now() + 45_000;
    for (let pid = await pidOf(); pid === undefined || pid === before; pid = await pidOf()) {
      if (Date.now() > deadline) throw new Error(`host not back\n${worker.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await bothWays('15550707101', 'after recovery');
    await bothWays('15550707103', 'new contact after recovery');
    expect(await worker.stop()).toEqual({ code: 0, signal: null });

    const keys = secretKeysIn(join(world.dataDir, 'sessions', s.sessionId));
    expect(keys.some((k) => k.file === 'creds.json') && keys.some((k) => k.file.startsWith('pre-key-')) && keys.some((k) => k.file.startsWith('session-'))).toBe(true);
    const output = worker.tail(Number.MAX_SAFE_INTEGER);
    // The dependency's lines were there to leak (libsignal opened sessions), now redacted.
    expect(output).toMatch(/Opening session|Closing session/);
    expect(leaks(output, keys)).toEqual([]);
  }, 180_000);
});
