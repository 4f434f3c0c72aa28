import { describe, expect, it } from 'vitest';
import { disabled, finished, PENDING, progressLine, slotFreed, slotTaken, started, summaryLine, tallied } from '../../../supervisor/recovery/progress.js';

describe('recovery progress tally', () => {
  it('counts each outcome once, as a new value each time', () => {
    const run = started(PENDING, 3, 't0');
    const taken = slotTaken(run);
    const one = tallied(taken, 'recovered');
    const two = tallied(one, 'failed');
    const three = slotFreed(tallied(two, 'skipped'));
    expect(run).toMatchObject({ phase: 'running', total: 3, done: 0, startedAt: 't0', inFlight: 0 });
    expect(taken.inFlight).toBe(1);
    expect(one).toMatchObject({ done: 1, recovered: 1, failed: 0, skipped: 0 });
    expect(two).toMatchObject({ done: 2, recovered: 1, failed: 1, skipped: 0 });
    expect(three).toMatchObject({ done: 3, recovered: 1, failed: 1, skipped: 1, inFlight: 0 });
    expect(finished(three, 't1')).toMatchObject({ phase: 'done', finishedAt: 't1', done: 3 });
    // Earlier values are never changed (a reader holding one sees a consistent tally).
    expect(run).toMatchObject({ done: 0, recovered: 0 });
    expect(PENDING).toMatchObject({ phase: 'pending', total: 0, done: 0 });
  });

  it('disabling marks a run that has not begun, and only that', () => {
    expect(disabled(PENDING).phase).toBe('disabled');
    const running = started(PENDING, 1, 't0');
    expect(disabled(running)).toBe(running);
  });

  it('renders the progress and summary lines', () => {
    const p = slotTaken(tallied(tallied(started(PENDING, 4, 't0'), 'recovered'), 'failed'));
    expect(progressLine(p)).toBe('recovery progress: 2/4 done, 1 recovered, 1 failed, 1 in flight');
    expect(summaryLine(tallied(p, 'skipped'))).toBe('recovery finished: recovered 1/4 (1 failed, 1 skipped)');
  });
});
