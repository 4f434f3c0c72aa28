import { describe, expect, it } from 'vitest';
import type { PingStats } from '../../../src/ipc/protocol.js';
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
