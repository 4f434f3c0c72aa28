/**
 * /proc sampling off the scrape path (issue 15): scrapes read the last background sample; a
 * restarted or stopped host never shows its predecessor's figures.
 */
import { describe, expect, it } from 'vitest';
import { HostResourceMonitor, type HostSampler } from '../../../supervisor/host-resources.js';
import type { ProcSample } from '../../../supervisor/proc-stats.js';

function countingSampler(): HostSampler & { calls: number } {
  return {
    calls: 0,
    async sampleAll(pids) {
      this.calls++;
      return new Map<string, ProcSample>([...pids].map(([id, pid]) => [id, { pid, pssBytes: pid * 1000, cpuSeconds: this.calls, cpuPercent: null }]));
    },
  };
}

describe('HostResourceMonitor', () => {
  it('scrapes never sample: a thousand reads cost one pass per period', async () => {
    const sampler = countingSampler();
    const pids = new Map([['a', 10], ['b', 11]]);
    const monitor = new HostResourceMonitor(() => pids, 60_000, sampler);
    monitor.start();
    await monitor.sampleNow();
    const passes = sampler.calls;
    for (let i = 0; i < 1000; i++) expect(monitor.current().get('a')?.pssBytes).toBe(10_000);
    expect(sampler.calls).toBe(passes);
    monitor.stop();
  });

  it('a restarted host (new pid) shows nothing until sampled again; a stopped one disappears', async () => {
    const sampler = countingSampler();
    const pids = new Map([['a', 10], ['b', 11]]);
    const monitor = new HostResourceMonitor(() => pids, 60_000, sampler);
    monitor.start();
    await monitor.sampleNow();
    pids.set('a', 20);
    pids.delete('b');
    const now = monitor.current();
    expect(now.has('a')).toBe(false);
    expect(now.has('b')).toBe(false);
    await monitor.sampleNow();
    expect(monitor.current().get('a')?.pid).toBe(20);
    monitor.stop();
  });

  it('concurrent passes share one walk over /proc; a failing pass keeps the last sample', async () => {
    let calls = 0;
    let fail = false;
    const pids = new Map([['a', 10]]);
    const monitor = new HostResourceMonitor(() => pids, 60_000, {
      async sampleAll(p) {
        calls++;
        if (fail) throw new Error('EACCES');
        return new Map([...p].map(([id, pid]) => [id, { pid, pssBytes: 1, cpuSeconds: 1, cpuPercent: null }]));
      },
    });
    await Promise.all([monitor.sampleNow(), monitor.sampleNow(), monitor.sampleNow()]);
    expect(calls).toBe(1);
    fail = true;
    await monitor.sampleNow();
    expect(monitor.current().get('a')?.pssBytes).toBe(1);
  });
});
