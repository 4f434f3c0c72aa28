import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/session-view.js';
import { makeActor } from './support/actors.js';
import { alive, events, readJournal, waitFor } from './support/journal.js';

let journalFile: string;
beforeEach(() => {
  journalFile = join(mkdtempSync(join(tmpdir(), 'actor-')), 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journalFile;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session actor with fixture host processes', () => {
  it('kill -9 of a connected host: back to connected at once, with a new pid and one restart', async () => {
    const actor = makeActor('kill9', 'good');
    actor.start(false);
    await actor.onStatus('connected', 10_000);
    const firstPid = actor.pid!;
    const t0 = Date.now();
    process.kill(firstPid, 'SIGKILL');
    await actor.until((s) => s.state.status === 'connected' && s.view.pid !== firstPid, { timeoutMs: 10_000 });
    expect(Date.now() - t0).toBeLessThan(5000); // about a second; generous for a loaded machine
    expect(actor.view()).toMatchObject({ restarts: 1, isRecovered: true, reason: null });
    expect(alive(firstPid)).toBe(false);
    // The replacement was told it restores earlier auth.
    expect(events(journalFile, 'kill9', 'init').map((e) => e.isRecovery)).toEqual([false, true]);
    actor.disconnect();
    await actor.onIdle(10_000);
  });

  it('shows when a backed-off restart will happen, and clears it once the host is forked', async () => {
    process.env.FIXTURE_CRASH_AFTER_MS = '150';
    const actor = makeActor('next', 'crash-after', { policy: { backoff: { initialMs: 3000, maxMs: 3000, resetMs: 60_000 }, window: { intensity: 10, periodMs: 60_000 } } });
    actor.start(false);
    // First crash restarts at once; the second waits out a backoff of 1.5–3 s (equal jitter).
    const waiting = await actor.until((s) => s.view.nextRestartAt !== null, { timeoutMs: 15_000 });
    const due = Date.parse(waiting.view.nextRestartAt!) - Date.now();
    expect(due).toBeGreaterThan(500);
    expect(due).toBeLessThanOrEqual(3000);
    expect(waiting.view.pid).toBeNull();
    await actor.until((s) => s.view.pid !== null, { timeoutMs: 10_000 });
    expect(actor.view().nextRestartAt).toBeNull();
    actor.disconnect();
    await actor.onIdle(10_000);
  });

  it('crash loop: immediate first restart, growing backoff, then quarantine as failed/crash_loop', async () => {
    process.env.FIXTURE_CRASH_AFTER_MS = '150';
    const seen: SessionEvent[] = [];
    const actor = makeActor('loop', 'crash-after', { events: seen });
    actor.start(false);
    const q = await actor.onStatus('failed', 20_000);
    expect(q.view).toMatchObject({ status: 'failed', reason: 'crash_loop', restarts: 3, pid: null });

    expect(events(journalFile, 'loop', 'spawned')).toHaveLength(4); // first start + RESTART_INTENSITY (3) restarts
    expect(events(journalFile, 'loop', 'crash')).toHaveLength(4);
    // Measured on the supervisor's side: `reconnecting` marks a scheduled restart, `starting` the fork.
    const statuses = seen.flatMap((e) => (e.kind === 'status' ? [{ status: e.status, t: Date.parse(e.at) }] : []));
    const starts = statuses.filter((x) => x.status === 'starting');
    expect(starts).toHaveLength(4);
    // First crash: straight from connected to starting, no backoff.
    const beforeSecondStart = statuses.slice(0, statuses.indexOf(starts[1]!));
    expect(beforeSecondStart.map((x) => x.status)).not.toContain('reconnecting');
    const delays = statuses.flatMap((x, i) => (x.status === 'reconnecting' && statuses[i + 1]?.status === 'starting' ? [statuses[i + 1]!.t - x.t] : []));
    expect(delays).toHaveLength(2);
    // Equal jitter: [initial/2, initial] = [100, 200], then [200, 400] (plus timer slack on a busy machine).
    expect(delays[0]).toBeGreaterThanOrEqual(99);
    expect(delays[0]).toBeLessThanOrEqual(200 + 250);
    expect(delays[1]).toBeGreaterThanOrEqual(199);
    expect(delays[1]).toBeLessThanOrEqual(400 + 250);
    // Quarantined: nothing restarts it on its own.
    await sleep(800);
    expect(events(journalFile, 'loop', 'spawned')).toHaveLength(4);
    expect(seen.filter((e) => e.kind === 'status' && e.status === 'failed')).toHaveLength(1);

    // An operator restart lifts the quarantine.
    process.env.FIXTURE_CRASH_AFTER_MS = '60000';
    actor.restart();
    await actor.onStatus('connected', 10_000);
    expect(actor.view()).toMatchObject({ restarts: 0, reason: null });
    actor.disconnect();
    await actor.onIdle(10_000);
  });

  it('a host crashing at boot (never ready) is quarantined too', async () => {
    const actor = makeActor('boot', 'crash-at-boot', { policy: { backoff: { initialMs: 50, maxMs: 100, resetMs: 60_000 }, window: { intensity: 2, periodMs: 60_000 } } });
    actor.start(false);
    const q = await actor.onStatus('failed', 20_000);
    expect(q.view).toMatchObject({ reason: 'crash_loop', restarts: 2 });
    expect(events(journalFile, 'boot', 'crash-at-boot')).toHaveLength(3);
  });

  it('a hung host is killed by the watchdog and restarted (reason unresponsive)', async () => {
    const actor = makeActor('hung', 'hang');
    actor.start(false);
    await actor.onStatus('connected', 10_000);
    const firstPid = actor.pid!;
    const s = await actor.until((x) => x.view.restarts === 1, { timeoutMs: 10_000 });
    expect(s.state.reason).toBe('unresponsive');
    expect(alive(firstPid)).toBe(false);
    actor.disconnect();
    await actor.onIdle(10_000);
  });

  it.each([
    ['exit-normal', 'disconnected'],
    ['exit-logged-out', 'logged_out'],
  ] as const)('%s: the host chose to exit, so it is not restarted (%s)', async (fixture, status) => {
    const actor = makeActor(fixture, fixture);
    actor.start(false);
    await actor.onStatus('connected', 10_000);
    const s = await actor.onIdle(10_000);
    expect(s.view).toMatchObject({ status, pid: null, restarts: 0 });
    await sleep(500);
    expect(events(journalFile, fixture, 'spawned')).toHaveLength(1);
  });

  it('disconnect of a host that ignores SIGTERM ends in SIGKILL after both deadlines, and stays disconnected', async () => {
    const actor = makeActor('stubborn', 'ignore-sigterm');
    actor.start(false);
    await actor.onStatus('connected', 10_000);
    const pid = actor.pid!;
    const t0 = Date.now();
    actor.disconnect();
    const s = await actor.onIdle(10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(s.view).toMatchObject({ status: 'disconnected', pid: null, restarts: 0 });
    expect(alive(pid)).toBe(false);
  });

  it('logout goes through the host, which exits logged out, and is never restarted', async () => {
    const actor = makeActor('lo', 'good');
    actor.start(false);
    await actor.onStatus('connected', 10_000);
    actor.logout();
    const s = await actor.onIdle(10_000);
    expect(s.view.status).toBe('logged_out');
    expect(events(journalFile, 'lo', 'logged-out')).toHaveLength(1);
    expect(events(journalFile, 'lo', 'spawned')).toHaveLength(1);
  });

  it('survives a host killed at a steady rhythm slower than the intensity window', async () => {
    const actor = makeActor('rhythm', 'good', { policy: { backoff: { initialMs: 50, maxMs: 100, resetMs: 60_000 }, window: { intensity: 2, periodMs: 1500 } } });
    actor.start(false);
    for (let i = 0; i < 4; i++) {
      const s = await actor.onStatus('connected', 10_000);
      const pid = s.view.pid!;
      await sleep(900);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => actor.pid !== pid && actor.pid !== null, 10_000, 'a new host');
    }
    await actor.onStatus('connected', 10_000);
    expect(actor.view().restarts).toBe(4);
    expect(readJournal(journalFile).filter((e) => e.event === 'spawned')).toHaveLength(5);
    actor.disconnect();
    await actor.onIdle(10_000);
  });
});
