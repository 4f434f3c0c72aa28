import { describe, expect, it } from 'vitest';
import { decideRestart, pruneHistory } from '../../../supervisor/policy/restart-window.js';

describe('restart intensity window', () => {
  const settings = { intensity: 3, periodMs: 10_000 };

  it('allows up to `intensity` restarts inside the period, then quarantines', () => {
    let history: number[] = [];
    for (const t of [0, 100, 200]) {
      const d = decideRestart(history, t, settings);
      expect(d.action).toBe('restart');
      history = d.history;
    }
    expect(decideRestart(history, 300, settings)).toEqual({ action: 'quarantine', history: [0, 100, 200] });
  });

  it('forgets restarts older than the period', () => {
    const d = decideRestart([0, 100, 200], 10_050, settings);
    expect(d).toEqual({ action: 'restart', history: [100, 200, 10_050] });
    expect(pruneHistory([0, 5000, 9999], 10_000, 10_000)).toEqual([5000, 9999]);
  });

  it('quarantines at the first crash when the intensity is 0', () => {
    expect(decideRestart([], 0, { intensity: 0, periodMs: 1000 }).action).toBe('quarantine');
  });

  it('a steady rhythm slower than the window never quarantines', () => {
    let history: number[] = [];
    for (let t = 0; t < 200_000; t += 4000) {
      const d = decideRestart(history, t, settings);
      expect(d.action).toBe('restart');
      history = d.history;
    }
  });
});
