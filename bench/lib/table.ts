/**
 * Pure: the markdown table printed at the end of `npm run bench`: one row per figure, one column
 * per N, targets beside the figures they judge. Missing figures print as "–".
 */
import type { InProcessResults } from './in-process.js';
import type { SizeResult } from './scenario.js';
import type { Summary } from './stats.js';

const dash = '–';

export function fmt(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? dash : value.toFixed(digits);
}

function pct(s: Summary, digits = 0): string {
  return s.n === 0 ? dash : `${fmt(s.p50, digits)} / ${fmt(s.p95, digits)}`;
}

type Row = [label: string, target: string, cell: (r: SizeResult) => string];

const PHASES: [key: string, label: string][] = [
  ['imported', 'start → entry (bootstrap + bundle)'],
  ['ready', 'init → auth restored'],
  ['connected', 'Noise handshake + login'],
  ['uploaded', 'first snapshot upload'],
];

function phaseRows(when: string, pick: (r: SizeResult) => Record<string, Summary> | undefined): Row[] {
  return PHASES.map(([key, label]): Row => [`host CPU ${when}, ${label} p50 (ms)`, '', (r) => {
    const s = pick(r)?.[key];
    return s && s.n > 0 ? fmt(s.p50) : dash;
  }]);
}

const ROWS: Row[] = [
  ['worker start → all connected (ms)', '≤ 15000 at N=100', (r) => fmt(r.recoveryMs)],
  ['machine load average (1 min) at restart', '', (r) => fmt(r.loadAverageAtRestart, 1)],
  ['baseline: one process start → all open (ms)', '', (r) => fmt(r.baseline?.recoveryMs)],
  ['recovery time ratio worker / baseline', '', (r) => fmt(r.ratios.recoveryTime, 2)],
  ['host boot under recovery p50 / p95 (ms)', '', (r) => pct(r.hostBootUnderRecoveryMs)],
  ['host boot after kill p50 / p95 (ms)', '', (r) => pct(r.hostBootAfterKillMs)],
  ['host CPU from fork to connected p50 / p95 (s)', '≤ 0.25', (r) => pct(r.hostCpuSecondsToConnected, 2)],
  ...phaseRows('under recovery', (r) => r.hostCpuByPhaseMs.underRecovery),
  ...phaseRows('after kill', (r) => r.hostCpuByPhaseMs.afterKill),
  ['kill -9 → connected, no spares (fresh fork) p50 / p95 (ms)', '', (r) => pct(r.killToConnectedMs)],
  ['kill -9 → connected through a spare p50 / p95 (ms)', 'p50 ≤ 500', (r) => pct(r.killThroughSpareMs)],
  ['restarts that took a spare / kills', '', (r) => `${r.killsThroughSpare} / ${r.killThroughSpareMs.n}`],
  ['kill → connected ratio spare / fresh fork (p50)', '', (r) => fmt(r.ratios.killSpareVsFresh, 2)],
  ['spare host init → ready p50 / p95 (ms)', '', (r) => pct(r.hostBootThroughSpareMs)],
  ['QR rounds during kills + recovery', '0', (r) => String(r.qrRoundsAfterPairing)],
  ['PSS per host p50 / p95 (MB)', '≤ 40', (r) => pct(r.hostPssMB, 1)],
  ['supervisor PSS / RSS (MB)', '', (r) => `${fmt(r.supervisor.pssMB, 1)} / ${fmt(r.supervisor.rssMB, 1)}`],
  ['worker PSS per session (MB, incl. supervisor share)', '', (r) => fmt(r.workerPssPerSessionMB, 1)],
  ['baseline PSS per session (MB)', '', (r) => fmt(r.baseline?.pssPerSessionMB, 1)],
  ['memory ratio worker / baseline (per session)', '', (r) => fmt(r.ratios.memoryPerSession, 2)],
  ['supervisor CPU during recovery (s)', '', (r) => fmt(r.supervisor.cpuSecondsDuringRecovery, 2)],
  ['supervisor idle CPU (% of one core)', '', (r) => fmt(r.supervisor.idleCpuPercent, 2)],
  ['host idle CPU, mean (% of one core)', '≤ 0.05', (r) => fmt(r.hostIdleCpuPercentMean, 3)],
  ['GET /metrics over HTTP p50 / p95 (ms)', 'p50 ≤ 20 at N=100', (r) => pct(r.metricsHttpMs, 1)],
  ['graceful stop with N hosts (ms)', '', (r) => fmt(r.gracefulStopMs)],
  ['pair N sessions by QR (ms)', '', (r) => fmt(r.pairAllMs)],
];

export function sizesTable(results: readonly SizeResult[]): string {
  const head = `| figure | target | ${results.map((r) => `N=${r.n}`).join(' | ')} |`;
  const rule = `|---|---|${results.map(() => '---:').join('|')}|`;
  const body = ROWS.map(([label, target, cell]) => `| ${label} | ${target} | ${results.map(cell).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

export function inProcessTable(r: InProcessResults): string {
  const row = (label: string, s: Summary & { bytes: number }): string => `| ${label} | ${fmt(s.p50, 2)} | ${fmt(s.p95, 2)} | ${fmt(s.bytes / 1024, 0)} |`;
  return [
    `| at ${r.sessions} registered sessions (in-process) | p50 ms | p95 ms | KiB |`,
    '|---|---:|---:|---:|',
    row('/metrics render, per-session series on', r.metricsPerSession),
    row('/metrics render, per-session series off', r.metricsAggregate),
    row('heartbeat body build + JSON (seed)', r.heartbeatSeed),
    row('heartbeat body build + JSON (whatsam)', r.heartbeatWhatsam),
    row('outbox: admit one incoming message, OUTBOX_SYNC=normal', r.outboxAppend),
    row('outbox: admit one incoming message, OUTBOX_SYNC=full (fsync)', r.outboxAppendFsync),
  ].join('\n');
}
