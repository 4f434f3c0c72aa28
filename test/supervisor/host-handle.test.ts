import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { HostHandle, type HostEvent, type HostExit, type HostHandleOptions } from '../../supervisor/host/host-handle.js';
import { fixtureHost } from './support/build.js';
import { testInit } from './support/init.js';
import { alive, events } from './support/journal.js';

let journalFile: string;
beforeEach(() => {
  journalFile = join(mkdtempSync(join(tmpdir(), 'hh-')), 'journal.ndjson');
  process.env.FIXTURE_JOURNAL = journalFile;
});

function start(fixture: string, overrides: Partial<HostHandleOptions> = {}) {
  const seen: HostEvent[] = [];
  const exits: HostExit[] = [];
  const sessionId = `s-${fixture}`;
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const handle = HostHandle.start(
    {
      sessionId,
      hostModulePath: fixtureHost(fixture),
      stopTimeoutMs: 300,
      pingIntervalMs: 100,
      pingTimeoutMs: 300,
      bootTimeoutMs: 10_000,
      execArgv: [],
      onEvent: (e) => {
        seen.push(e);
        if (e.type === 'ready') onReady();
      },
      onExit: (x) => exits.push(x),
      ...overrides,
    },
    testInit(sessionId),
  );
  return { handle, seen, exits, ready, sessionId };
}

describe('host handle', () => {
  it('completes the init handshake, answers watchdog pings and stops gracefully via IPC', async () => {
    const { handle, ready, seen, exits, sessionId } = start('good');
    await ready;
    expect(seen.find((e) => e.type === 'ready')).toMatchObject({ pid: handle.pid, restoredFrom: 'local' });
    await new Promise((r) => setTimeout(r, 350));
    expect(handle.pingStats?.rssBytes).toBeGreaterThan(0);

    const p1 = handle.stop();
    const p2 = handle.stop();
    const exit = await p1;
    expect(await p2).toBe(exit);
    expect(exit).toMatchObject({ code: 0, signal: null, kind: 'stopped', wasReady: true, killedFor: undefined });
    expect(exits).toHaveLength(1); // counted once, whatever 'disconnect' did
    expect(events(journalFile, sessionId, 'flushed')).toHaveLength(1);
    expect(await handle.stop()).toBe(exit);
  });

  it('escalates a stop to SIGTERM then SIGKILL for a host that ignores both, against the same child', async () => {
    const { handle, ready, sessionId } = start('ignore-sigterm');
    await ready;
    const t0 = Date.now();
    const exit = await handle.stop();
    const took = Date.now() - t0;
    expect(exit).toMatchObject({ signal: 'SIGKILL', kind: 'crash' });
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(5000);
    expect(events(journalFile, sessionId, 'ignored-stop')).toHaveLength(1);
    expect(events(journalFile, sessionId, 'ignored-sigterm')).toHaveLength(1);
    expect(alive(exit.pid!)).toBe(false);
  });

  it('kills a host that stops answering pings, with reason unresponsive', async () => {
    const { handle, ready, exits } = start('hang');
    await ready;
    const exit = await handle.whenExited();
    expect(exit).toMatchObject({ signal: 'SIGKILL', kind: 'crash', killedFor: 'unresponsive', wasReady: true });
    expect(exits).toHaveLength(1);
  });

  it('rejects pending requests in one place when the host exits, and refuses new ones', async () => {
    const { handle, ready } = start('hang', { pingIntervalMs: 60_000 });
    await ready;
    const pending = handle.request('ping', {}, 30_000);
    void handle.kill();
    await expect(pending).rejects.toMatchObject({ code: 'HOST_EXITED' });
    await expect(handle.request('ping', {})).rejects.toMatchObject({ code: 'HOST_EXITED' });
    expect(handle.isReady).toBe(false);
  });

  it('times out a request the host never answers', async () => {
    const { handle, ready } = start('hang', { pingIntervalMs: 60_000 });
    await ready;
    await expect(handle.request('ping', {}, 150)).rejects.toMatchObject({ code: 'HOST_REQUEST_TIMEOUT' });
    await handle.kill();
  });

  it('reports a crash at boot as a crash that was never ready', async () => {
    const { handle, seen } = start('crash-at-boot');
    const exit = await handle.whenExited();
    expect(exit).toMatchObject({ code: 1, kind: 'crash', wasReady: false });
    expect(seen.some((e) => e.type === 'ready')).toBe(false);
  });

  it('kills a host that never gets ready within the boot deadline', async () => {
    // `scripted` with a long boot delay never says ready in time.
    const slow = start('scripted', { bootTimeoutMs: 300, env: { ...process.env, FIXTURE_SCRIPT: JSON.stringify({ '*': { bootDelayMs: 10_000 } }) } });
    const exit = await slow.handle.whenExited();
    expect(exit).toMatchObject({ signal: 'SIGKILL', killedFor: 'init_failed', wasReady: false });
  });

  it('answers API requests (send) with the host result', async () => {
    const { handle, ready } = start('good');
    await ready;
    const result = await handle.request('send', { to: '15550001111', message: { type: 'text', text: 'hi' } });
    expect(result).toMatchObject({ to: '15550001111', status: 'sent' });
    await handle.stop();
  });
});
