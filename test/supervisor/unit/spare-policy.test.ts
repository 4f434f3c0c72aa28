/** When the spare pool forks (issue 15): pure decisions over counts and the clock. */
import { describe, expect, it } from 'vitest';
import { nextRefill, type SparePoolCounts } from '../../../supervisor/host/spare-policy.js';
import { defaultRecoveryConcurrency } from '../../../supervisor/recovery/concurrency.js';

const counts = (over: Partial<SparePoolCounts> = {}): SparePoolCounts => ({ wanted: 2, live: 0, booting: 0, earlyDeaths: 0, closed: false, ...over });
const timing = (over: Partial<{ nowMs: number; lastDemandMs: number }> = {}) => ({ nowMs: 10_000, lastDemandMs: 0, refillDelayMs: 1000, maxEarlyDeaths: 3, ...over });

describe('spare refill policy', () => {
  it('forks one spare once session starts have been quiet for the refill delay', () => {
    expect(nextRefill(counts(), timing())).toEqual({ type: 'fork' });
    expect(nextRefill(counts(), timing({ lastDemandMs: 9_700 }))).toEqual({ type: 'wait', ms: 700 });
  });

  it('boots one spare at a time: waits for the booting one before the next', () => {
    expect(nextRefill(counts({ live: 1, booting: 1 }), timing())).toEqual({ type: 'idle' });
    expect(nextRefill(counts({ live: 1, booting: 0 }), timing())).toEqual({ type: 'fork' });
  });

  it('does nothing when full, closed, or with HOST_SPARES=0', () => {
    expect(nextRefill(counts({ live: 2 }), timing())).toEqual({ type: 'idle' });
    expect(nextRefill(counts({ closed: true }), timing())).toEqual({ type: 'idle' });
    expect(nextRefill(counts({ wanted: 0 }), timing())).toEqual({ type: 'idle' });
  });

  it('latches after spares die before ready three times in a row (a broken entry forks no loop)', () => {
    expect(nextRefill(counts({ earlyDeaths: 2 }), timing())).toEqual({ type: 'fork' });
    expect(nextRefill(counts({ earlyDeaths: 3 }), timing())).toEqual({ type: 'latched' });
  });
});

describe('default recovery concurrency', () => {
  it('is 3 per core, at least 4', () => {
    expect(defaultRecoveryConcurrency(1)).toBe(4);
    expect(defaultRecoveryConcurrency(2)).toBe(6);
    expect(defaultRecoveryConcurrency(16)).toBe(48);
    expect(defaultRecoveryConcurrency(0)).toBe(4);
  });
});
