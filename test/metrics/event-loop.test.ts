import { describe, expect, it } from 'vitest';
import { EventLoopLag, percentile } from '../../supervisor/metrics/event-loop.js';

describe('percentile', () => {
  it('uses nearest rank', () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([3, 1, 2, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });
});

describe('EventLoopLag', () => {
  it('sees a blocked loop and starts a fresh window after each read', async () => {
    const lag = new EventLoopLag(10);
    try {
      await new Promise((r) => setTimeout(r, 50));
      lag.read();
      const until = Date.now() + 400;
      while (Date.now() < until) { /* block the loop on purpose */ }
      const blocked = lag.read();
      expect(blocked.maxSeconds).toBeGreaterThan(0.35);
      await new Promise((r) => setTimeout(r, 60));
      // The block is not counted again. Relative bound: a loaded 2-core machine adds lag of its own.
      expect(lag.read().maxSeconds).toBeLessThan(blocked.maxSeconds);
    } finally {
      lag.stop();
    }
  });
});
