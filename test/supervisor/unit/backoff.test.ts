import { describe, expect, it } from 'vitest';
import { restartDelay, streakAfterUptime } from '../../../supervisor/policy/backoff.js';

const settings = { initialMs: 1000, maxMs: 60_000, resetMs: 120_000 };

describe('restart backoff', () => {
  it('restarts at once after the first crash of a streak', () => {
    expect(restartDelay(0, settings, () => 0.99)).toBe(0);
  });

  it('streak n waits attempt n of the one backoff (test/unit/backoff.test.ts): half the ceiling to the ceiling', () => {
    expect(restartDelay(3, settings, () => 0)).toBe(2000);
    expect(restartDelay(3, settings, () => 0.5)).toBe(3000);
    expect(restartDelay(3, settings, () => 0.999_999)).toBe(4000);
  });

  it('never exceeds the cap and never goes negative, whatever the random source says', () => {
    for (const r of [-5, Number.NaN, 7, Infinity]) {
      const d = restartDelay(50, settings, () => r);
      expect(d).toBeGreaterThanOrEqual(30_000);
      expect(d).toBeLessThanOrEqual(60_000);
    }
    expect(restartDelay(10_000, settings, () => 1)).toBe(60_000);
  });

  it('resets the streak once the host was stable for the reset period', () => {
    expect(streakAfterUptime(4, 1000, 1000 + 119_999, settings)).toBe(4);
    expect(streakAfterUptime(4, 1000, 1000 + 120_000, settings)).toBe(0);
  });

  it('keeps the streak of a host that never became ready', () => {
    expect(streakAfterUptime(3, null, 10_000_000, settings)).toBe(3);
  });
});
