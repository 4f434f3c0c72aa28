import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, EQUAL_JITTER, pRetryTiming } from '../../src/backoff.js';

/** The worker's one backoff formula (src/backoff.ts), without timers. */
const b = { initialMs: 1000, maxMs: 60_000 };

describe('backoff', () => {
  it('doubles from the initial delay up to the cap; no wait before attempt 1', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 8, 20, 10_000].map((n) => backoffCeiling(n, b));
    expect(ceilings).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('jitter is the random share of the ceiling: none, equal (upper half), full (0..ceiling)', () => {
    for (const r of [0, 0.5, 0.999_999]) expect(backoffDelay(3, { ...b, jitter: 0 }, () => r)).toBe(4000);
    expect([0, 0.5, 0.999_999].map((r) => backoffDelay(3, { ...b, jitter: EQUAL_JITTER }, () => r))).toEqual([2000, 3000, 4000]);
    expect([0, 0.5, 0.999_999].map((r) => backoffDelay(3, { ...b, jitter: 1 }, () => r))).toEqual([0, 2000, 4000]);
  });

  it('never exceeds the cap and never goes negative, whatever the random source or jitter says', () => {
    for (const r of [-5, Number.NaN, 7, Infinity]) {
      for (const jitter of [-1, 0.4, 3, Number.NaN]) {
        const d = backoffDelay(50, { ...b, jitter }, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(60_000);
      }
    }
  });

  it('gives p-retry the same growth and bounds', () => {
    expect(pRetryTiming(b)).toEqual({ factor: 2, minTimeout: 1000, maxTimeout: 60_000, randomize: true });
  });
});
