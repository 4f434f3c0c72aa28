import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ProcSampler, parseCpuTicks, parsePss, parseRssPages, pssDue } from '../../../supervisor/proc-stats.js';

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
    expect(parseRssPages(stat.replace(/ 0 0$/, ' 0 4321'))).toBe(4321); // field 24: resident pages
    expect(parseRssPages(stat.replace(/ 0 0 20 0 11 0 12345 0 0$/, ''))).toBeNull();
  });

  it('re-reads PSS only when the resident size moved by 1 % (at least 1 MiB) or the last read is old', () => {
    const last = { rssPages: 25_600, at: 1_000 }; // 100 MiB
    expect(pssDue(undefined, 25_600, 1_000, 60_000)).toBe(true);
    expect(pssDue(last, 25_600 + 200, 2_000, 60_000)).toBe(false); // +800 KiB
    expect(pssDue(last, 25_600 + 256, 2_000, 60_000)).toBe(true); // +1 MiB = 1 %
    expect(pssDue(last, 25_600 - 300, 2_000, 60_000)).toBe(true);
    expect(pssDue(last, 25_600, 61_000, 60_000)).toBe(true);
    expect(pssDue({ rssPages: 1_000_000, at: 0 }, 1_000_000 + 5_000, 1, 60_000)).toBe(false); // 0.5 % of 3.8 GiB
  });

  it('reads a steady host\'s smaps_rollup once, and again when it grows or the figure is old (a real child)', async () => {
    // Allocates and touches 64 MiB when told to on stdin.
    const child = spawn(process.execPath, ['-e', "let keep; process.stdin.on('data', () => { keep = Buffer.alloc(64 << 20, 1); process.stdout.write('grown\\n'); });"], { stdio: ['pipe', 'pipe', 'ignore'] });
    await once(child, 'spawn');
    try {
      let clock = 0;
      const sampler = new ProcSampler({ now: () => clock, pssMaxAgeMs: 60_000 });
      const pid = child.pid!;
      await new Promise((r) => setTimeout(r, 300)); // past Node's own start-up
      const first = await sampler.sample(pid);
      expect(first!.pssBytes).toBeGreaterThan(1 << 20);
      expect(sampler.pssReads).toBe(1);
      clock += 10_000;
      const second = await sampler.sample(pid);
      expect(sampler.pssReads).toBe(1); // idle: the PSS figure is reused
      expect(second!.pssBytes).toBe(first!.pssBytes);

      child.stdin!.write('grow\n');
      await once(child.stdout!, 'data');
      clock += 10_000;
      const grown = await sampler.sample(pid);
      expect(sampler.pssReads).toBe(2);
      expect(grown!.pssBytes).toBeGreaterThan(first!.pssBytes + (32 << 20));

      clock += 60_000; // no growth, but the figure is a minute old
      await sampler.sample(pid);
      expect(sampler.pssReads).toBe(3);
    } finally {
      child.kill('SIGKILL');
    }
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
