import { describe, expect, it } from 'vitest';
import { killSchedule } from './support/chaos.js';

describe('random-kill schedule (pure)', () => {
  it('is replayable from its seed', () => {
    const a = killSchedule(4242, 10);
    const b = killSchedule(4242, 10);
    const c = killSchedule(4243, 10);
    const runA = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(runA);
    expect(Array.from({ length: 50 }, c)).not.toEqual(runA);
  });

  it('keeps pauses within 300–1800 ms and reaches every session', () => {
    const next = killSchedule(7, 10);
    const steps = Array.from({ length: 2000 }, next);
    for (const s of steps) {
      expect(s.delayMs).toBeGreaterThanOrEqual(300);
      expect(s.delayMs).toBeLessThan(1800);
      expect(Number.isInteger(s.index) && s.index >= 0 && s.index < 10).toBe(true);
    }
    expect(new Set(steps.map((s) => s.index)).size).toBe(10);
  });

  it('survives a zero or negative seed', () => {
    expect(killSchedule(0, 3)().index).toBeGreaterThanOrEqual(0);
    expect(killSchedule(-5, 3)().delayMs).toBeGreaterThanOrEqual(300);
  });
});
