/**
 * Degraded start: the backend is down, the worker recovers from its cached assignments, keeps
 * trying, and reconciles once the backend answers. Standalone: no backend calls at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/index.js';
import { createBackendIntegration } from '../../supervisor/backend/index.js';
import { FakeBackend } from '../fake-backend/server.js';
import { makeWorker, tempDir, until } from './support/harness.js';
import { MemoryDirectory } from './support/fake-directory.js';

describe.each(['seed', 'whatsam'] as const)('degraded start (%s)', (profile) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('recovers from the cached assignments, then reconciles when the backend answers', async () => {
    const dir = await tempDir();
    cleanup.push(dir.remove);
    const env = { WORKER_ID: 'worker-d1' };

    // A first life with the backend up writes the cache.
    const first = await FakeBackend.start({ profile, token: 'test-token-123' });
    first.setAssignments('worker-d1', [{ sessionId: 's1' }, { sessionId: 's2' }]);
    const port = Number(new URL(first.url).port);
    const w1 = await makeWorker({ url: first.url, profile, dataDir: dir.path, env });
    await w1.integration.start();
    await w1.stop();
    await first.close();

    // Second life: nothing listens on the port.
    const w2 = await makeWorker({ url: first.url, profile, dataDir: dir.path, env });
    cleanup.push(() => w2.stop());
    const specs = await w2.integration.start();
    expect(specs.map((s) => s.sessionId)).toEqual(['s1', 's2']);
    expect(w2.integration.status()).toMatchObject({ degraded: true, reachable: false, registered: false, assignments: { source: 'cache' } });
    for (const s of specs) await w2.directory.ensure(s); // the supervisor recovers them
    const report = w2.integration.reportRecovery(specs.map((s) => ({ sessionId: s.sessionId, outcome: 'recovered' as const, status: 'connected' as const, phoneNumber: '15550001111', attempts: 1, durationMs: 10, at: new Date().toISOString() })));

    // The backend comes back on the same address with a changed assignment list.
    const second = new FakeBackend({ profile, token: 'test-token-123' });
    second.setAssignments('worker-d1', [{ sessionId: 's2' }, { sessionId: 's3' }]);
    await second.listen(port);
    cleanup.push(() => second.close());

    await w2.integration.caughtUp();
    // One answer without s1 only marks it (issue 13 §6); the next poll's answer releases it.
    expect(w2.directory.released).toEqual([]);
    expect(w2.directory.ensured.map((s) => s.sessionId)).toContain('s3');
    await until(() => w2.directory.released.includes('s1'), 10_000, 's1 released by the second answer');
    expect(w2.directory.released).toEqual(['s1']);
    expect(await report).toBe(true);
    expect(second.callsTo('recovery')).toHaveLength(1);
    expect(w2.integration.status()).toMatchObject({ degraded: false, reachable: true, registered: true, assignments: { source: 'backend', count: 2 } });
    expect(second.invalidCalls()).toEqual([]);
  });
});

describe('standalone mode', () => {
  it('has no backend integration and therefore makes no calls', async () => {
    const config = parseConfig({ DATA_DIR: '/nonexistent' });
    const integration = createBackendIntegration({ config, logger: pino({ level: 'silent' }), directory: new MemoryDirectory(), workerId: 'w-1', endpoint: 'http://127.0.0.1:1' });
    expect(integration).toBeNull();
  });
});

describe('backend unreachable with no cache', () => {
  it('starts with no sessions instead of hanging, and says why in status()', async () => {
    const dir = await tempDir();
    const fake = await FakeBackend.start({ profile: 'seed' });
    const url = fake.url;
    await fake.close();
    const w = await makeWorker({ url, profile: 'seed', dataDir: dir.path, env: { WORKER_ID: 'worker-n1' } });
    const t0 = Date.now();
    expect(await w.integration.start()).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(5000);
    await until(() => w.integration.status().lastError !== null, 2000, 'lastError');
    expect(w.integration.status()).toMatchObject({ degraded: true, reachable: false, assignments: { source: 'none' }, lastError: { code: 'BACKEND_UNREACHABLE' } });
    await w.stop();
    await dir.remove();
  });
});
