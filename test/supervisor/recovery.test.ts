import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/session-view.js';
import { RecoveryRunner, type RecoveryTarget } from '../../supervisor/recovery/recovery-runner.js';
import type { SessionRegistry } from '../../supervisor/registry/session-registry.js';
import { makeRegistry, quietLogger } from './support/actors.js';
import { alive, events, maxOverlap, readJournal } from './support/journal.js';

let journalFile: string;
beforeEach(() => {
  journalFile = join(mkdtempSync(join(tmpdir(), 'recovery-')), 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journalFile;
});

function runner(reg: SessionRegistry, options: { concurrency: number; timeoutMs?: number; maxAttempts?: number; logger?: Logger; progressLogIntervalMs?: number }): RecoveryRunner {
  return new RecoveryRunner(
    {
      actorFor: (spec) => reg.ensure(spec, { start: false }),
      start: (spec) => reg.ensure(spec, { isRecovery: true }).start(true),
      retry: (spec) => void reg.restart(spec.sessionId),
      publish: (e) => reg.publish(e),
    },
    { concurrency: options.concurrency, timeoutMs: options.timeoutMs ?? 10_000, maxAttempts: options.maxAttempts ?? 3, retryDelayMs: 50, logger: options.logger ?? quietLogger, ...(options.progressLogIntervalMs ? { progressLogIntervalMs: options.progressLogIntervalMs } : {}) },
  );
}

const targets = (ids: string[]): RecoveryTarget[] => ids.map((sessionId) => ({ spec: { sessionId } }));

describe('recovery at start', () => {
  it('logs one progress line every few seconds while it runs, not one info line per session', async () => {
    const lines: { level: number; msg: string; done?: number; total?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) });
    const script = { '*': { bootDelayMs: 100, connectDelayMs: 400 } };
    const reg = makeRegistry('scripted', { host: { env: { ...process.env, FIXTURE_SCRIPT: JSON.stringify(script) } } });
    const r = runner(reg, { concurrency: 2, logger, progressLogIntervalMs: 150 });
    await r.run(targets(['p0', 'p1', 'p2', 'p3']));
    const progress = lines.filter((l) => l.msg.startsWith('recovery progress:'));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((l) => (l.done ?? 0) < 4 && l.total === 4)).toBe(true);
    expect(progress[0]!.msg).toMatch(/^recovery progress: \d+\/4 done, \d+ recovered, 0 failed, \d+ in flight$/);
    // info level: start, progress lines and the final summary only.
    expect(lines.filter((l) => l.level === 30 && !l.msg.startsWith('recovery progress:')).map((l) => l.msg)).toEqual([
      'recovery started: 4 sessions',
      'recovery finished: recovered 4/4 (0 failed, 0 skipped)',
    ]);
    await reg.shutdown();
  });


  it('never has more than RECOVERY_CONCURRENCY hosts booting at once, and recovers all', async () => {
    const script = { '*': { bootDelayMs: 150, connectDelayMs: 100 } };
    const reg = makeRegistry('scripted', { host: { env: { ...process.env, FIXTURE_SCRIPT: JSON.stringify(script) } } });
    const r = runner(reg, { concurrency: 3 });
    const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
    const results = await r.run(targets(ids));
    expect(results.map((x) => x.outcome)).toEqual(Array(8).fill('recovered'));
    const overlap = maxOverlap(readJournal(journalFile), 'spawned', ['connected']);
    expect(overlap).toBeLessThanOrEqual(3);
    expect(overlap).toBe(3); // the bound is used, not just respected
    expect(r.progress()).toMatchObject({ phase: 'done', total: 8, done: 8, recovered: 8, failed: 0, inFlight: 0 });
    for (const id of ids) expect(events(journalFile, id, 'init')[0]!.isRecovery).toBe(true);
    await reg.shutdown();
  });

  it('classifies every outcome, retries only retryable causes, and lets a timed-out host keep trying', async () => {
    const script = {
      ok: {},
      expired: { finalStatus: 'qr_required' },
      noauth: { restoredFrom: 'none', finalStatus: 'qr_required', connectDelayMs: 2000 },
      revoked: { finalStatus: null, exitAfterMs: 50, exitCode: 10, exitStatus: 'logged_out' },
      storage: { onInit: 'init-failed', initFailedReason: 'storage_error' },
      slow: { finalStatus: 'connecting' },
    };
    const reg = makeRegistry('scripted', { host: { env: { ...process.env, FIXTURE_SCRIPT: JSON.stringify(script) } } });
    const seen: SessionEvent[] = [];
    reg.subscribe((e) => seen.push(e));
    // Generous per-attempt timeout: only `slow` (never final) should hit it, even on a loaded machine.
    const r = runner(reg, { concurrency: 10, timeoutMs: 6000, maxAttempts: 2 });
    const all = [...targets(Object.keys(script)), { spec: { sessionId: 'parked' }, skip: 'disconnected on request' }];
    const results = await r.run(all);
    const by = Object.fromEntries(results.map((x) => [x.sessionId, x]));

    expect(by.ok).toMatchObject({ outcome: 'recovered', status: 'connected', attempts: 1 });
    expect(by.expired).toMatchObject({ outcome: 'failed', reason: 'auth_expired', status: 'qr_required', attempts: 1 });
    expect(by.noauth).toMatchObject({ outcome: 'failed', reason: 'no_auth', attempts: 1 });
    expect(by.revoked).toMatchObject({ outcome: 'failed', reason: 'logged_out', status: 'logged_out', attempts: 1 });
    expect(by.storage).toMatchObject({ outcome: 'failed', reason: 'storage_error', attempts: 2 });
    expect(events(journalFile, 'storage', 'spawned')).toHaveLength(2);
    expect(by.slow).toMatchObject({ outcome: 'failed', reason: 'timeout', status: 'connecting', attempts: 1 });
    expect(alive(reg.status('slow').pid!)).toBe(true); // the host keeps trying
    expect(by.parked).toMatchObject({ outcome: 'skipped', attempts: 0 });
    expect(events(journalFile, 'parked', 'spawned')).toHaveLength(0);

    expect(seen.filter((e) => e.kind === 'recovery')).toHaveLength(7);
    expect(r.progress()).toMatchObject({ total: 7, done: 7, recovered: 1, failed: 5, skipped: 1 });
    await reg.shutdown();
  });

  it('a shutdown during recovery starts no further host and ends the run promptly', async () => {
    const script = { '*': { finalStatus: 'connecting' } }; // never final: each holds its slot
    const reg = makeRegistry('scripted', { host: { env: { ...process.env, FIXTURE_SCRIPT: JSON.stringify(script) } } });
    const r = runner(reg, { concurrency: 1, timeoutMs: 30_000 });
    const run = r.run(targets(['d1', 'd2', 'd3']));
    await reg.actor('d1')!.onStatus('connecting', 10_000);
    const t0 = Date.now();
    await reg.shutdown();
    const results = await run;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(results.map((x) => x.outcome)).toEqual(['failed', 'failed', 'failed']);
    // Refused by the closing registry (d1 at its retry, d2 and d3 at once): said with the code, not hidden.
    for (const x of results) expect(x).toMatchObject({ reason: 'unknown', error: expect.stringMatching(/^SHUTTING_DOWN: /) });
    expect(readJournal(journalFile).filter((e) => e.event === 'spawned').map((e) => e.sessionId)).toEqual(['d1']);
    expect(reg.hostPids().size).toBe(0);
  });

  it('runs exactly once: a second run gets the first run', async () => {
    const reg = makeRegistry('good');
    const r = runner(reg, { concurrency: 2 });
    const first = r.run(targets(['once']));
    const second = r.run(targets(['once', 'twice']));
    expect(second).toBe(first);
    const results = await first;
    expect(results).toHaveLength(1);
    expect(events(journalFile, 'once', 'spawned')).toHaveLength(1);
    expect(reg.get('twice')).toBeUndefined();
    await reg.shutdown();
  });
});
