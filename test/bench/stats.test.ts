import { describe, expect, it } from 'vitest';
import { percentile, ratio, round, summarize } from '../../bench/lib/stats.js';

describe('bench statistics (pure)', () => {
  it('nearest-rank percentiles return values that were measured', () => {
    const v = [50, 10, 40, 20, 30];
    expect(percentile(v, 0.5)).toBe(30);
    expect(percentile(v, 0.95)).toBe(50);
    expect(percentile(v, 0)).toBe(10);
    expect(percentile([7], 0.95)).toBe(7);
    // 20 values: p95 is the 19th, not the maximum
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 0.95)).toBe(19);
  });

  it('ignores non-finite values and reports empty input as null, never NaN', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([NaN, Infinity], 0.5)).toBeNull();
    expect(summarize([NaN, 3, 1])).toEqual({ n: 2, p50: 1, p95: 3, min: 1, max: 3 });
    expect(summarize([])).toEqual({ n: 0, p50: null, p95: null, min: null, max: null });
  });

  it('rejects a percentile outside 0..1', () => {
    expect(() => percentile([1], 95)).toThrow(RangeError);
  });

  it('ratios are null when a side is missing or the divisor is not positive', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(3, undefined)).toBeNull();
    expect(ratio(NaN, 2)).toBeNull();
  });

  it('rounds for the results file and keeps null', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(null)).toBeNull();
    expect(round(NaN)).toBeNull();
  });
});
