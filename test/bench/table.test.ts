import { describe, expect, it } from 'vitest';
import type { SizeResult } from '../../bench/lib/scenario.js';
import { summarize } from '../../bench/lib/stats.js';
import { fmt, sizesTable } from '../../bench/lib/table.js';

function result(n: number, baseline: boolean): SizeResult {
  const s = summarize([100, 200, 300]);
  return {
    n,
    recoveryConcurrency: null,
    nodeFlags: [],
    hostEntry: '/app/dist/host/session-host.mjs',
    hostNodeFlags: ['--max-semi-space-size=1'],
    hostGlibcTunables: 'glibc.malloc.mmap_threshold=32768',
    hostCpuByPhaseMs: {
      underRecovery: { imported: summarize([260]), ready: summarize([20]), connected: summarize([60, 80]), uploaded: summarize([5]) },
      afterKill: { imported: summarize([]), ready: summarize([]), connected: summarize([]), uploaded: summarize([]) },
    },
    pairAllMs: 1000,
    hostBootUnderRecoveryMs: s,
    hostBootAfterKillMs: s,
    hostCpuSecondsToConnected: summarize([0.8, 0.9]),
    killToConnectedMs: summarize([1500]),
    killThroughSpareMs: summarize([]),
    killsThroughSpare: 0,
    hostBootThroughSpareMs: summarize([120]),
    spares: null,
    hostNodePath: null,
    hostNode: 'v20.20.2',
    recoveryMs: 4321,
    loadAverageAtRestart: 1.5,
    qrRoundsAfterPairing: 0,
    hostPssMB: { ...summarize([60, 61]), mean: 60.5 },
    supervisor: { pssMB: 80, rssMB: 120, cpuSecondsDuringRecovery: 1.5, idleCpuPercent: 0.5 },
    hostIdleCpuPercentMean: 0.2,
    workerPssPerSessionMB: 68.5,
    metricsHttpMs: s,
    gracefulStopMs: 900,
    baseline: baseline ? { sessions: n, recoveryMs: 2000, importMs: 300, pssMB: 200, rssMB: 220, pssPerSessionMB: 20, cpuSeconds: 2, closeCodes: [] } : null,
    ratios: { memoryPerSession: baseline ? 3.426 : null, recoveryTime: baseline ? 2.16 : null, killSpareVsFresh: null },
  };
}

describe('bench table (pure)', () => {
  it('one column per N, targets beside their figures, dashes for what was not measured', () => {
    const table = sizesTable([result(10, true), result(50, false)]);
    const lines = table.split('\n');
    expect(lines[0]).toBe('| figure | target | N=10 | N=50 |');
    expect(table).toContain('| worker start → all connected (ms) | ≤ 15000 at N=100 | 4321 | 4321 |');
    expect(table).toContain('| kill -9 → connected through a spare p50 / p95 (ms) | p50 ≤ 500 | – | – |');
    expect(table).toContain('| kill -9 → connected, no spares (fresh fork) p50 / p95 (ms) |  | 1500 / 1500 | 1500 / 1500 |');
    expect(table).toContain('| spare host init → ready p50 / p95 (ms) |  | 120 / 120 | 120 / 120 |');
    expect(table).toContain('| memory ratio worker / baseline (per session) |  | 3.43 | – |');
    expect(table).toContain('| host boot under recovery p50 / p95 (ms) |  | 200 / 300 | 200 / 300 |');
    expect(table).toContain('| host CPU under recovery, start → entry (bootstrap + bundle) p50 (ms) |  | 260 | 260 |');
    expect(table).toContain('| host CPU after kill, Noise handshake + login p50 (ms) |  | – | – |');
    for (const line of lines) expect(line.split('|').length).toBe(lines[0]!.split('|').length);
  });

  it('formats missing numbers as a dash', () => {
    expect(fmt(null)).toBe('–');
    expect(fmt(NaN)).toBe('–');
    expect(fmt(1.234, 1)).toBe('1.2');
  });
});
