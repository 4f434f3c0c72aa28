import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/session-view.js';
import { RegistryFile } from '../../supervisor/registry/registry-file.js';
import { makeRegistry } from './support/actors.js';
import { alive, events } from './support/journal.js';

let journalFile: string;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'registry-'));
  journalFile = join(dir, 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journalFile;
});

describe('session registry', () => {
  it('creates idempotently, enforces MAX_SESSIONS and validates ids before anything else', async () => {
    const reg = makeRegistry('good', { maxSessions: 2 });
    const a = reg.create({ sessionId: 'a', userId: 'u1' });
    expect(a).toMatchObject({ sessionId: 'a', userId: 'u1', status: 'starting' });
    expect(reg.create({ sessionId: 'a' }).sessionId).toBe('a');
    reg.create({ sessionId: 'b' });
    expect(() => reg.create({ sessionId: 'c' })).toThrow(expect.objectContaining({ code: 'MAX_SESSIONS_REACHED' }));
    expect(() => reg.create({ sessionId: '../x' })).toThrow(expect.objectContaining({ code: 'INVALID_SESSION_ID' }));
    expect(() => reg.restart('nope')).toThrow(expect.objectContaining({ code: 'SESSION_NOT_FOUND' }));
    await reg.actor('a')!.onStatus('connected', 10_000);
    await reg.actor('b')!.onStatus('connected', 10_000);
    expect(events(journalFile, 'a', 'spawned')).toHaveLength(1);
    expect(reg.list().map((v) => v.sessionId).sort()).toEqual(['a', 'b']);
    expect(reg.hostPids().size).toBe(2);

    const sent = await reg.send('a', '15550001111', { type: 'text', text: 'hello' });
    expect(sent.status).toBe('sent');

    await reg.remove('b');
    expect(reg.get('b')).toBeUndefined();
    expect(reg.size).toBe(1);
    await reg.shutdown();
  });

  it('publishes status events in order per session', async () => {
    const reg = makeRegistry('good');
    const seen: SessionEvent[] = [];
    reg.subscribe((e) => seen.push(e));
    reg.create({ sessionId: 'ev' });
    await reg.actor('ev')!.onStatus('connected', 10_000);
    const statuses = seen.filter((e) => e.kind === 'status').map((e) => (e.kind === 'status' ? e.status : null));
    expect(statuses).toEqual(['starting', 'connected']);
    await reg.shutdown();
  });

  it('standalone: keeps what the operator wants in DATA_DIR/registry.json', async () => {
    const file = new RegistryFile(dir);
    const reg = makeRegistry('good', { file });
    reg.create({ sessionId: 'keep', name: 'Keep' });
    reg.create({ sessionId: 'off' });
    reg.create({ sessionId: 'gone' });
    await Promise.all(['keep', 'off', 'gone'].map((id) => reg.actor(id)!.onStatus('connected', 10_000)));
    reg.disconnect('off');
    reg.logout('gone');
    await Promise.all(['off', 'gone'].map((id) => reg.actor(id)!.onIdle(10_000)));
    await file.flushed();
    const entries = await new RegistryFile(dir).load();
    expect(entries.map((e) => [e.sessionId, e.desired, e.ended?.status ?? null])).toEqual([
      ['keep', 'running', null],
      ['off', 'stopped', null],
      ['gone', 'stopped', 'logged_out'],
    ]);
    expect(entries[0]!.name).toBe('Keep');
    // Shutdown leaves the file as it was: the next start recovers `keep`.
    await reg.shutdown();
    expect((await new RegistryFile(dir).load()).find((e) => e.sessionId === 'keep')?.desired).toBe('running');

    // A new registry lists every known session before anything starts.
    const next = makeRegistry('good', { file: new RegistryFile(dir) });
    await next.load();
    expect(next.list().map((v) => [v.sessionId, v.status])).toEqual([
      ['keep', 'disconnected'],
      ['off', 'disconnected'],
      ['gone', 'logged_out'],
    ]);
    expect(next.hostPids().size).toBe(0);
    // Creating an ended session again runs it again; the file follows the actor's state.
    next.create({ sessionId: 'gone' });
    await next.actor('gone')!.onStatus('connected', 10_000);
    await next.shutdown();
    expect((await new RegistryFile(dir).load()).map((e) => [e.sessionId, e.desired, e.ended?.status ?? null])).toEqual([
      ['keep', 'running', null],
      ['off', 'stopped', null],
      ['gone', 'running', null],
    ]);
  });

  it('shutdown stops every host in parallel, flushes them, never logs out, and SIGKILLs a straggler after the deadlines', async () => {
    // Two stubborn hosts in one registry: each needs stopTimeoutMs for the IPC stop plus
    // stopTimeoutMs after SIGTERM (≥ 2 s) before its SIGKILL, so one registry stopping its hosts
    // one after the other would take ≥ 4 s.
    const reg = makeRegistry('good', { host: { stopTimeoutMs: 400 } });
    const stubborn = makeRegistry('ignore-sigterm', { host: { stopTimeoutMs: 1_000 } });
    for (const id of ['g1', 'g2', 'g3']) reg.create({ sessionId: id });
    for (const id of ['st1', 'st2']) stubborn.create({ sessionId: id });
    await Promise.all([...reg.actors(), ...stubborn.actors()].map((a) => a.onStatus('connected', 10_000)));
    const pids = [...reg.hostPids().values(), ...stubborn.hostPids().values()];

    const t0 = Date.now();
    await Promise.all([reg.shutdown(), stubborn.shutdown()]);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1_950); // the stragglers waited out IPC stop and SIGTERM …
    expect(took).toBeLessThan(3_500); // … side by side, not one after the other (≥ 4 s)
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const id of ['g1', 'g2', 'g3']) expect(events(journalFile, id, 'flushed')).toHaveLength(1);
    for (const id of ['st1', 'st2']) expect(events(journalFile, id, 'ignored-sigterm')).toHaveLength(1);
    for (const id of ['g1', 'g2', 'g3', 'st1', 'st2']) expect(events(journalFile, id, 'logged-out')).toHaveLength(0);
    expect(() => reg.create({ sessionId: 'late' })).toThrow(expect.objectContaining({ code: 'SHUTTING_DOWN' }));
  });

  it('killAll SIGKILLs every host at once', async () => {
    const reg = makeRegistry('ignore-sigterm');
    reg.create({ sessionId: 'k1' });
    reg.create({ sessionId: 'k2' });
    await Promise.all(reg.actors().map((a) => a.onStatus('connected', 10_000)));
    const t0 = Date.now();
    reg.killAll();
    await reg.onAllStopped();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(reg.hostPids().size).toBe(0);
  });
});
