import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PingStats } from '../../../src/ipc/protocol.js';
import { PingClock } from '../../../supervisor/host/ping-clock.js';
import { Watchdog } from '../../../supervisor/host/watchdog.js';

const stats: PingStats = { uptimeMs: 1, rssBytes: 2, eventLoopUtilization: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchdog', () => {
  it('keeps the last answer and never has two pings in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let pings = 0;
    const w = new Watchdog({
      intervalMs: 10,
      ping: async () => {
        pings++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(45); // slower than the interval
        inFlight--;
        return stats;
      },
      onUnresponsive: () => expect.unreachable('answered every ping'),
    });
    w.start();
    await sleep(200);
    w.stop();
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(maxInFlight).toBe(1);
    expect(w.lastStats).toEqual(stats);
  });

  it('reports an unanswered ping once and stops pinging', async () => {
    const reasons: unknown[] = [];
    let pings = 0;
    const w = new Watchdog({
      intervalMs: 10,
      ping: async () => {
        pings++;
        throw new Error('no pong');
      },
      onUnresponsive: (err) => reasons.push(err),
    });
    w.start();
    await sleep(100);
    expect(reasons).toHaveLength(1);
    expect(pings).toBe(1);
  });

  it('ignores failures that arrive after stop (the host is exiting anyway)', async () => {
    let fail!: (e: Error) => void;
    const reasons: unknown[] = [];
    const w = new Watchdog({ intervalMs: 5, ping: () => new Promise<PingStats>((_, reject) => (fail = reject)), onUnresponsive: (e) => reasons.push(e) });
    w.start();
    await sleep(30);
    w.stop();
    fail(new Error('HOST_EXITED'));
    await sleep(10);
    expect(reasons).toEqual([]);
  });
});

describe('watchdogs on the supervisor\'s one ping clock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('50 hosts are pinged every period by one timer, which is gone once the last one stops', async () => {
    vi.useFakeTimers();
    const clock = new PingClock(5_000);
    const pings = new Array<number>(50).fill(0);
    const dogs = pings.map((_, i) => new Watchdog({
      intervalMs: 5_000,
      clock,
      ping: () => {
        pings[i]!++;
        return Promise.resolve(stats);
      },
      onUnresponsive: () => expect.unreachable('answered every ping'),
    }));
    // Hosts become ready at different moments: they still share the one timer.
    for (const w of dogs) {
      w.start();
      await vi.advanceTimersByTimeAsync(37);
    }
    expect(vi.getTimerCount()).toBe(1); // a timer per host before: 50
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings.every((n) => n === 2)).toBe(true);
    for (const w of dogs.slice(1)) w.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pings[0]).toBe(3);
    expect(pings[1]).toBe(2);
    dogs[0]!.stop();
    expect(clock.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an unanswered ping still reports that one host only, and the others go on', async () => {
    vi.useFakeTimers();
    const clock = new PingClock(1_000);
    const reasons: string[] = [];
    let goodPings = 0;
    const bad = new Watchdog({ intervalMs: 1_000, clock, ping: () => Promise.reject(new Error('no pong')), onUnresponsive: () => reasons.push('bad') });
    const good = new Watchdog({ intervalMs: 1_000, clock, ping: () => Promise.resolve(stats).finally(() => goodPings++), onUnresponsive: () => reasons.push('good') });
    bad.start();
    good.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(reasons).toEqual(['bad']);
    expect(goodPings).toBe(3);
    expect(clock.size).toBe(1);
    good.stop();
  });
});
