import { describe, expect, it } from 'vitest';
import { ProcSampler, parseCpuTicks, parsePss } from '../../../supervisor/proc-stats.js';

describe('proc stats', () => {
  it('parses PSS from smaps_rollup', () => {
    const text = '55d0c000-7ffd1000 ---p 00000000 00:00 0 [rollup]\nRss:              51232 kB\nPss:              40123 kB\nPss_Anon:  1 kB\n';
    expect(parsePss(text)).toBe(40123 * 1024);
    expect(parsePss('Rss: 1 kB\n')).toBeNull();
  });

  it('parses utime + stime even when the command name holds spaces and parentheses', () => {
    const stat = '1234 (wa-host:a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 12345 0 0';
    expect(parseCpuTicks(stat)).toBe(300);
    expect(parseCpuTicks('garbage')).toBeNull();
  });

  it('samples a live process and reports CPU between samples', async () => {
    const sampler = new ProcSampler();
    const first = await sampler.sample(process.pid);
    expect(first).not.toBeNull();
    expect(first!.pssBytes).toBeGreaterThan(1024 * 1024);
    expect(first!.cpuPercent).toBeNull();
    const t = Date.now();
    while (Date.now() - t < 150) Math.sqrt(Math.random()); // burn some CPU
    const second = await sampler.sample(process.pid);
    expect(second!.cpuPercent).toBeGreaterThan(0);
    expect(second!.cpuSeconds).toBeGreaterThanOrEqual(first!.cpuSeconds);
  });

  it('returns null for a process that does not exist', async () => {
    expect(await new ProcSampler().sample(2 ** 22 + 17)).toBeNull();
  });
});
