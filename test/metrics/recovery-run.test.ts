import { describe, expect, it } from 'vitest';
import { nearestRank, RecoveryRunTally } from '../../supervisor/metrics/recovery-run.js';

describe('RecoveryRunTally', () => {
  it('counts outcomes by result and reason and keeps the earliest start', () => {
    const t = new RecoveryRunTally();
    t.add('recovered', 'none', 100, 2);
    t.add('failed', 'timeout', 90);
    t.add('recovered', 'none', 95, 1);
    const s = t.snapshot();
    expect(s.outcomes.get('recovered|none')?.sessions).toBe(2);
    expect(s.outcomes.get('failed|timeout')?.sessions).toBe(1);
    expect(s.startedAt).toBe(90);
  });

  it('reports p50, p95 and max of recovered durations, none before the first', () => {
    const t = new RecoveryRunTally();
    expect(t.snapshot().durations).toBeUndefined();
    for (const d of [5, 1, 3, 2, 4, 10, 6, 7, 8, 9]) t.add('recovered', 'none', 0, d);
    expect(t.snapshot().durations).toEqual({ p50: 5, p95: 10, max: 10 });
  });

  it('a snapshot is a copy: later results do not change it', () => {
    const t = new RecoveryRunTally();
    t.add('recovered', 'none', 0, 1);
    const s = t.snapshot();
    t.add('recovered', 'none', 0, 1);
    expect(s.outcomes.get('recovered|none')?.sessions).toBe(1);
  });

  it('nearestRank picks the smallest value covering the quantile', () => {
    expect(nearestRank([1], 0.5)).toBe(1);
    expect(nearestRank([1, 2], 0.5)).toBe(1);
    expect(nearestRank([1, 2, 3, 4], 0.95)).toBe(4);
  });
});
