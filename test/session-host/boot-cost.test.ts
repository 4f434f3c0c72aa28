/** The boot cost a host logs once (issue 15): per-phase CPU from `process.cpuUsage()` marks. */
import { describe, expect, it } from 'vitest';
import { bootCost, markBoot } from '../../session-host/boot-cost.js';

describe('boot cost', () => {
  it('charges each phase the CPU between its step and the previous one, first mark wins', () => {
    markBoot('imported');
    // Spins until this process has used `ms` of CPU (wall time would lie on a loaded machine).
    const spin = (ms: number) => {
      const start = process.cpuUsage();
      while (process.cpuUsage(start).user + process.cpuUsage(start).system < ms * 1000);
    };
    spin(30);
    markBoot('ready');
    markBoot('imported'); // ignored: already recorded
    spin(30);
    markBoot('connected');
    const cost = bootCost();
    expect(Object.keys(cost.cpuMs)).toEqual(['imported', 'ready', 'connected']);
    expect(cost.cpuMs.ready).toBeGreaterThanOrEqual(20);
    expect(cost.cpuMs.connected).toBeGreaterThanOrEqual(20);
    expect(cost.atMs.connected!).toBeGreaterThanOrEqual(cost.atMs.ready!);
  });
});
