/**
 * What a connected host costs while nothing happens (issue 15: idle CPU ≤ 0.05 % of a core per
 * host). A real host, paired with the simulator, then left alone: its main thread's voluntary
 * context switches are its wake-ups (timers, sockets, IPC), read from /proc. Nothing pings it here
 * (the supervisor's watchdog adds one wake-up per HOST_PING_INTERVAL_MS), and Baileys' keep-alive
 * is every 30 s. V8's memory reducer is switched off for this host: it runs a few full GCs in the
 * 8–25 s after a host's last burst of allocation (a one-off after boot, not a timer of ours) and
 * would make the count depend on when the window falls.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SnapshotMessage } from '../../src/ipc/protocol.js';
import { startHost } from '../support/host-harness.js';
import { useSimEnv } from './sim-env.js';

/** Voluntary context switches of the process's main thread: how often it went to sleep after waking. */
function mainThreadWakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)![1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an idle connected host', () => {
  const env = useSimEnv();

  it('wakes up less than once a second when nothing happens (no sampling timer)', async () => {
    const h = startHost({
      sessionId: 'idle-1',
      dataDir: await env.tempDir(),
      execArgv: ['--no-memory-reducer', '--import', env.sim.preloadPath],
      env: env.sim.childEnv(),
      init: { waWebsocketUrl: env.sim.url },
    });
    try {
      await env.pair(h, '15550072001');
      await h.waitFor((m): m is SnapshotMessage => m.type === 'snapshot');
      await sleep(4_000); // the login's last rounds (app state, pre-keys, receipts) end within about 2 s
      const before = mainThreadWakeups(h.pid);
      const windowMs = 6_000;
      await sleep(windowMs);
      const wakeups = mainThreadWakeups(h.pid) - before;
      // A 250 ms sampling timer alone is 24 wake-ups in this window.
      expect(wakeups, `${wakeups} wake-ups in ${windowMs} ms`).toBeLessThan(windowMs / 1000);
    } finally {
      await h.dispose();
    }
  });

  it("answers a ping with the share of time its event loop was busy since the last one (libuv's idle counter, no timer)", async () => {
    const h = env.host('idle-2', await env.tempDir());
    await env.pair(h, '15550072002');
    await h.request({ type: 'ping' });
    await sleep(500);
    const pong = await h.request({ type: 'ping' });
    expect(pong).toMatchObject({ ok: true, result: { uptimeMs: expect.any(Number), rssBytes: expect.any(Number), eventLoopUtilization: expect.any(Number) } });
    const elu = (pong as { result: { eventLoopUtilization: number } }).result.eventLoopUtilization;
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThan(0.5); // it did next to nothing for half a second
  });
});
