/**
 * The session side wired into the composition root (`startSupervisor`), in-process, with fixture
 * hosts: standalone recovery from DATA_DIR/registry.json, its progress on /health, and close().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startSupervisor, type Supervisor } from '../../supervisor/app.js';
import { RegistryFile, type RegistryEntry } from '../../supervisor/registry/registry-file.js';
import { quietLogger } from './support/actors.js';
import { fixtureHost } from './support/build.js';
import { alive, events } from './support/journal.js';
import { freePort } from '../support/free-port.js';

let dataDir: string;
let journalFile: string;
let sup: Supervisor | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sup-app-'));
  journalFile = join(dataDir, 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journalFile;
});
afterEach(async () => {
  await sup?.close();
  sup = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

const entry = (sessionId: string, over: Partial<RegistryEntry> = {}): RegistryEntry => ({ sessionId, userId: 'u', name: null, createdAt: new Date().toISOString(), desired: 'running', ended: null, ...over });

async function start(env: Record<string, string> = {}): Promise<Supervisor> {
  const config = parseConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'silent', HOST_STOP_TIMEOUT_MS: '500', RECOVERY_CONCURRENCY: '2', ...env });
  sup = await startSupervisor(config, quietLogger, { hostModulePath: fixtureHost('good') });
  return sup;
}

describe('supervisor composition (standalone)', () => {
  it('recovers what the registry file wants running, reports progress on /health, and stops every host on close', async () => {
    await new RegistryFile(dataDir).save([entry('one'), entry('two'), entry('three'), entry('parked', { desired: 'stopped' }), entry('revoked', { desired: 'stopped', ended: { status: 'logged_out', reason: null } })]);
    const s = await start();
    const results = await s.recovered;
    expect(results.map((r) => [r.sessionId, r.outcome]).sort()).toEqual([
      ['one', 'recovered'], ['parked', 'skipped'], ['revoked', 'skipped'], ['three', 'recovered'], ['two', 'recovered'],
    ]);
    const res = await fetch(`${s.url}/health`);
    const health = ((await res.json()) as { data: Record<string, any> }).data;
    expect(health.recovery).toMatchObject({ phase: 'done', total: 5, recovered: 3, skipped: 2, failed: 0 });
    expect(health.sessions).toMatchObject({ total: 5, byStatus: { connected: 3, disconnected: 1, logged_out: 1 } });
    expect(s.sessions.registry.status('revoked').status).toBe('logged_out');
    for (const id of ['one', 'two', 'three']) expect(events(journalFile, id, 'init')[0]!.isRecovery).toBe(true);

    const pids = [...s.sessions.registry.hostPids().values()];
    expect(pids).toHaveLength(3);
    await s.close();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const id of ['one', 'two', 'three']) {
      expect(events(journalFile, id, 'flushed')).toHaveLength(1);
      expect(events(journalFile, id, 'logged-out')).toHaveLength(0);
    }
    expect(() => s.sessions.registry.create({ sessionId: 'late' })).toThrow(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
    // The file still says what to recover next time.
    expect((await new RegistryFile(dataDir).load()).filter((e) => e.desired === 'running').map((e) => e.sessionId)).toEqual(['one', 'two', 'three']);
  });

  it('ENABLE_SESSION_RECOVERY=false lists the sessions but starts none', async () => {
    await new RegistryFile(dataDir).save([entry('idle')]);
    const s = await start({ ENABLE_SESSION_RECOVERY: 'false' });
    expect(await s.recovered).toEqual([]);
    expect(s.health().recovery?.phase).toBe('disabled');
    expect(s.sessions.registry.list().map((v) => [v.sessionId, v.status, v.pid])).toEqual([['idle', 'disconnected', null]]);
    expect(events(journalFile, 'idle', 'spawned')).toHaveLength(0);
  });

  it('sessions created through the registry are kept in the registry file for the next start', async () => {
    const s = await start();
    await s.recovered;
    s.sessions.registry.create({ sessionId: 'fresh', userId: 'u9' });
    await s.sessions.registry.actor('fresh')!.onStatus('connected', 10_000);
    await s.close();
    sup = undefined;
    const again = await start();
    const results = await again.recovered;
    expect(results).toMatchObject([{ sessionId: 'fresh', outcome: 'recovered' }]);
    expect(again.sessions.registry.status('fresh')).toMatchObject({ userId: 'u9', status: 'connected', isRecovered: true });
  });
});
