/**
 * One benchmark size N, all against the simulator on this machine, in the order an operator's
 * day would produce the figures: pair N sessions on a worker without spares (HOST_SPARES=0) →
 * kill hosts one at a time (kill → connected on a freshly forked host) → restart the worker with
 * its spare pool (start → all connected, boots under recovery load) → steady state (PSS per host,
 * supervisor memory and idle CPU, `GET /metrics` latency) → kill hosts one at a time again, each
 * with the pool full (kill → connected through a spare, the real path with N live hosts) →
 * graceful stop → the same N sockets in one plain process (baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../test/wa-sim/index.js';
import { WorkerApi } from './api.js';
import type { BenchOptions } from './args.js';
import { runBaseline, type BaselineResult } from './baseline.js';
import { pairAll, planSessions, waitAllConnected, type PlannedSession } from './pairing.js';
import { cpuSecondsOf, glibcTunablesOf, memoryOf, MB, threadCpuSecondsOf } from './proc.js';
import { ratio, summarize, sum, type Summary } from './stats.js';
import { pollUntil, sleep } from './wait.js';
import { hostCommandOf } from './host-process.js';
import { WorkerProcess, type BootCostRecord } from './worker-process.js';

/** Host CPU by phase (ms, p50/p95), from each host's own `session host boot cost` line. */
export type PhaseSummary = Record<string, Summary>;

function byPhase(records: readonly BootCostRecord[]): PhaseSummary {
  const phases = ['imported', 'ready', 'connected', 'uploaded'];
  return Object.fromEntries(phases.map((p) => [p, summarize(records.map((r) => r.cpuMs[p] ?? NaN).filter(Number.isFinite))]));
}

export interface SizeResult {
  n: number;
  recoveryConcurrency: number | null;
  nodeFlags: string[];
  /** The entry the supervisor forked hosts with, from a live host's /proc/<pid>/cmdline. */
  hostEntry: string | null;
  /** Node flags in effect for hosts (execArgv + HOST_NODE_FLAGS, test preload left out); warm hosts and the baseline ran with these too. */
  hostNodeFlags: string[];
  /** GLIBC_TUNABLES of a live host (HOST_GLIBC_TUNABLES), null = none; the baseline ran with it too. */
  hostGlibcTunables: string | null;
  /** Host CPU per phase: imported = process start → entry (Node bootstrap + bundle), ready = init → auth restored, connected = Noise handshake + login, uploaded = first snapshot upload. */
  hostCpuByPhaseMs: { underRecovery: PhaseSummary; afterKill: PhaseSummary };
  pairAllMs: number;
  hostBootUnderRecoveryMs: Summary;
  hostBootAfterKillMs: Summary;
  /** CPU seconds each recovered host had used when all were connected: the CPU bound of recovery is N × this / cores. */
  hostCpuSecondsToConnected: Summary;
  /** kill -9 → connected with HOST_SPARES=0: the restart forks a new host. */
  killToConnectedMs: Summary;
  /** kill -9 → connected with the spare pool full, through the supervisor with N live hosts. */
  killThroughSpareMs: Summary;
  /** Of those restarts, how many the supervisor logged as started on a spare. */
  killsThroughSpare: number;
  /** init → ready of the spares those restarts took (`bootMs` of their `ready`). */
  hostBootThroughSpareMs: Summary;
  /** HOST_SPARES of the restarted worker (null = its default). */
  spares: number | null;
  /** HOST_NODE_PATH (null = the supervisor's node). */
  hostNodePath: string | null;
  /** Node version the hosts reported in their boot cost line. */
  hostNode: string | null;
  /** Worker spawn → every session connected again, ms. */
  recoveryMs: number;
  /** 1-minute load average of the machine when the restart began (figures on a shared machine need it). */
  loadAverageAtRestart: number;
  /** QR rounds the simulator served during kills and recovery (must be 0). */
  qrRoundsAfterPairing: number;
  hostPssMB: Summary & { mean: number };
  supervisor: { pssMB: number; rssMB: number; cpuSecondsDuringRecovery: number | null; idleCpuPercent: number | null };
  hostIdleCpuPercentMean: number | null;
  /** (supervisor PSS + every host's PSS) / N. */
  workerPssPerSessionMB: number;
  metricsHttpMs: Summary;
  /** SIGTERM → exit with N hosts flushing, ms. */
  gracefulStopMs: number;
  baseline: BaselineResult | null;
  ratios: { memoryPerSession: number | null; recoveryTime: number | null; killSpareVsFresh: number | null };
}

/** How long after the last host connected the idle window opens (past V8's memory reducer). */
const IDLE_AFTER_CONNECTED_MS = 90_000;

const log = (n: number, text: string): void => console.log(`[bench N=${n}] ${text}`);

export async function measureSize(n: number, options: BenchOptions): Promise<SizeResult> {
  const sim = await startSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), `wa-bench-${n}-`));
  const sessions = planSessions(`bench${n}`, n);
  const env: Record<string, string> = {
    ...sim.childEnv(),
    DATA_DIR: dataDir,
    WORKER_ID: `bench-${n}`,
    LOG_LEVEL: 'info',
    MAX_SESSIONS: String(Math.max(500, n)),
    ...(options.recoveryConcurrency ? { RECOVERY_CONCURRENCY: String(options.recoveryConcurrency) } : {}),
    ...(options.hostNodePath ? { HOST_NODE_PATH: options.hostNodePath } : {}),
  };
  // Pairing and the first kills without spares (every restart forks); the restarted worker runs the pool.
  const freshEnv = { ...env, HOST_SPARES: '0' };
  const spareEnv = { ...env, ...(options.spares === undefined ? {} : { HOST_SPARES: String(options.spares) }) };
  const timeoutMs = 120_000 + n * 3_000;
  let worker: WorkerProcess | undefined;
  try {
    worker = await WorkerProcess.start({ preloadPath: sim.preloadPath, env: freshEnv, nodeFlags: options.nodeFlags });
    let api = new WorkerApi(worker.url);
    const w0 = worker;
    await pollUntil(async () => ((await api.health())?.recovery?.phase === 'done' ? true : undefined), { timeoutMs: 60_000, what: 'an empty worker ready', last: () => w0.tail(5) });

    const pairStarted = Date.now();
    await pairAll(api, sim, sessions, { batch: options.pairBatch, timeoutMs });
    const pairAllMs = Date.now() - pairStarted;
    const qrRounds = sim.qrCount();
    log(n, `paired ${n} sessions in ${pairAllMs} ms`);

    const hostCommand = hostCommandOf(worker.bootCosts[0]);
    const hostNodeFlags = hostCommand?.nodeFlags ?? options.nodeFlags;
    log(n, `hosts run ${hostCommand?.entry ?? '?'} with node flags: ${hostNodeFlags.join(' ') || 'none'}`);
    const costsBeforeKills = worker.bootCosts.length;
    const kills = await killEach(api, worker, pickSpread(sessions, Math.min(options.kills, n)));
    const killCosts = worker.bootCosts.slice(costsBeforeKills);
    log(n, `kill → connected (fresh fork) p50 ${summarize(kills.killMs).p50} ms over ${kills.killMs.length} kills`);

    const stop1 = await worker.stop();
    if (stop1.code !== 0) throw new Error(`worker stop exited ${JSON.stringify(stop1)}: ${worker.tail()}`);

    const loadAverageAtRestart = Math.round(loadavg()[0]! * 100) / 100;
    worker = await WorkerProcess.start({ preloadPath: sim.preloadPath, env: spareEnv, nodeFlags: options.nodeFlags });
    api = new WorkerApi(worker.url);
    const w1 = worker;
    await pollUntil(async () => ((await api.health())?.sessions?.byStatus?.connected === n ? true : w1.running ? undefined : Promise.reject(new Error(`worker exited: ${w1.tail()}`))), {
      timeoutMs,
      intervalMs: 100,
      what: `${n} sessions recovered`,
      last: () => w1.tail(5),
    });
    const allConnectedAt = Date.now();
    const recoveryMs = allConnectedAt - worker.spawnedAt;
    const cpuSecondsDuringRecovery = cpuSecondsOf(worker.pid);
    const hostCpuAtConnected = [...(await waitAllConnected(api, sessions, 30_000)).values()].map((s) => (s.pid === null ? NaN : (cpuSecondsOf(s.pid) ?? NaN)));
    const bootsUnderRecovery = worker.boots.map((b) => b.bootMs);
    const w2 = worker;
    // Each host logs its boot cost after its first upload, a moment after `connected`.
    await pollUntil(async () => (w2.bootCosts.length >= n ? true : undefined), { timeoutMs: 30_000, what: 'every host boot cost', last: () => `${w2.bootCosts.length}/${n}` }).catch(() => undefined);
    const recoveryCosts = [...worker.bootCosts];
    log(n, `worker start → ${n} connected in ${recoveryMs} ms`);

    // Let the post-connect snapshot uploads finish: memory and idle CPU are steady-state figures.
    await sleep(3_000);
    const live = await waitAllConnected(api, sessions, 30_000);
    const hostPids = [...live.values()].map((s) => s.pid).filter((p): p is number => typeof p === 'number');
    const hostPss = hostPids.map((pid) => memoryOf(pid)?.pssBytes ?? NaN).map((b) => b / MB);
    const hostGlibcTunables = hostPids[0] === undefined ? null : glibcTunablesOf(hostPids[0]);
    const supMem = memoryOf(worker.pid);
    // Idle CPU is a steady-state figure: V8's memory reducer runs a few full GCs (~0.14 CPU-s per
    // host, once) from ~8 s after a host's last burst of allocation; with 20 hosts on 2 busy cores
    // that lasted until ~70 s after the last one connected. An earlier window charges it to "idle".
    await sleep(Math.max(0, allConnectedAt + IDLE_AFTER_CONNECTED_MS - Date.now()));
    const idle = await idleCpu(worker.pid, hostPids, options.idleCpuSeconds);
    const metricsHttpMs = await timeMetrics(api, 20);

    const spareKills = await killEach(api, worker, pickSpread(sessions, Math.min(options.kills, n)), { poolFull: true });
    log(n, `kill → connected through a spare p50 ${summarize(spareKills.killMs).p50} ms (${spareKills.throughSpare}/${spareKills.killMs.length} restarts took a spare)`);

    const stopStarted = Date.now();
    const stop2 = await worker.stop();
    const gracefulStopMs = Date.now() - stopStarted;
    if (stop2.code !== 0) throw new Error(`worker stop exited ${JSON.stringify(stop2)}: ${worker.tail()}`);


    const baseline = options.skipBaseline ? null : await runBaseline(sim, dataDir, sessions.map((s) => s.sessionId), { timeoutMs, settleMs: 3_000, nodeFlags: hostNodeFlags, glibcTunables: hostGlibcTunables, execPath: options.hostNodePath });
    if (baseline) log(n, `baseline: one process → ${n} open in ${baseline.recoveryMs} ms, ${baseline.pssMB.toFixed(1)} MB PSS`);

    const supervisorPssMB = (supMem?.pssBytes ?? NaN) / MB;
    const workerPssPerSessionMB = (supervisorPssMB + sum(hostPss)) / n;
    return {
      n,
      recoveryConcurrency: options.recoveryConcurrency ?? null,
      nodeFlags: options.nodeFlags,
      hostEntry: hostCommand?.entry ?? null,
      hostNodeFlags,
      hostGlibcTunables,
      hostCpuByPhaseMs: { underRecovery: byPhase(recoveryCosts), afterKill: byPhase(killCosts) },
      pairAllMs,
      hostBootUnderRecoveryMs: summarize(bootsUnderRecovery),
      hostBootAfterKillMs: summarize(kills.bootMs),
      hostCpuSecondsToConnected: summarize(hostCpuAtConnected),
      killToConnectedMs: summarize(kills.killMs),
      killThroughSpareMs: summarize(spareKills.killMs),
      killsThroughSpare: spareKills.throughSpare,
      hostBootThroughSpareMs: summarize(spareKills.bootMs),
      spares: options.spares ?? null,
      hostNodePath: options.hostNodePath ?? null,
      hostNode: hostCommand?.node ?? null,
      recoveryMs,
      loadAverageAtRestart,
      qrRoundsAfterPairing: sim.qrCount() - qrRounds,
      hostPssMB: { ...summarize(hostPss), mean: sum(hostPss) / hostPss.length },
      supervisor: { pssMB: supervisorPssMB, rssMB: (supMem?.rssBytes ?? NaN) / MB, cpuSecondsDuringRecovery, idleCpuPercent: idle.supervisorPercent },
      hostIdleCpuPercentMean: idle.hostMeanPercent,
      workerPssPerSessionMB,
      metricsHttpMs,
      gracefulStopMs,
      baseline,
      ratios: {
        memoryPerSession: ratio(workerPssPerSessionMB, baseline?.pssPerSessionMB),
        recoveryTime: ratio(recoveryMs, baseline?.recoveryMs),
        killSpareVsFresh: ratio(summarize(spareKills.killMs).p50, summarize(kills.killMs).p50),
      },
    };
  } finally {
    worker?.forceKill();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Pure: `k` sessions spread evenly over the list (not just the first ones). */
export function pickSpread<T>(items: readonly T[], k: number): T[] {
  if (k <= 0 || items.length === 0) return [];
  const step = items.length / Math.min(k, items.length);
  return Array.from({ length: Math.min(k, items.length) }, (_, i) => items[Math.floor(i * step)]!);
}

/**
 * `kill -9` each session's host in turn and time it back to `connected` with a new pid. With
 * `poolFull`, each kill waits until /health shows every spare ready (one kill on a worker at rest).
 */
async function killEach(api: WorkerApi, worker: WorkerProcess, targets: readonly PlannedSession[], options: { poolFull?: boolean } = {}): Promise<{ killMs: number[]; bootMs: number[]; throughSpare: number }> {
  const killMs: number[] = [];
  const bootMs: number[] = [];
  let throughSpare = 0;
  for (const s of targets) {
    if (options.poolFull) {
      await pollUntil(async () => {
        const spares = (await api.health())?.spares;
        return spares && spares.ready >= spares.wanted ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 100, what: 'every spare ready', last: () => worker.tail(5) });
    }
    const before = await api.session(s.sessionId);
    if (before.pid === null || before.status !== 'connected') throw new Error(`${s.sessionId} is not connected with a host: ${JSON.stringify(before)}`);
    const bootsBefore = worker.boots.length;
    const killedAt = Date.now();
    process.kill(before.pid, 'SIGKILL');
    await pollUntil(async () => {
      const v = await api.session(s.sessionId);
      return v.status === 'connected' && v.pid !== null && v.pid !== before.pid ? v : undefined;
    }, { timeoutMs: 60_000, intervalMs: 20, what: `${s.sessionId} back after kill -9`, last: () => worker.tail(5) });
    killMs.push(Date.now() - killedAt);
    const boot = worker.boots.slice(bootsBefore).find((b) => b.sessionId === s.sessionId);
    if (boot) bootMs.push(boot.bootMs);
    if (boot?.spare) throughSpare++;
    await sleep(500); // let the restarted host's first upload pass before the next kill
  }
  return { killMs, bootMs, throughSpare };
}

async function idleCpu(supervisorPid: number, hostPids: readonly number[], seconds: number): Promise<{ supervisorPercent: number | null; hostMeanPercent: number | null }> {
  const s0 = threadCpuSecondsOf(supervisorPid);
  const h0 = hostPids.map(threadCpuSecondsOf);
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const s1 = threadCpuSecondsOf(supervisorPid);
  const h1 = hostPids.map(threadCpuSecondsOf);
  const hostDeltas = h1.flatMap((v, i) => (v !== null && h0[i] !== null ? [v - h0[i]!] : []));
  return {
    supervisorPercent: s0 !== null && s1 !== null ? ((s1 - s0) / elapsed) * 100 : null,
    hostMeanPercent: hostDeltas.length ? (sum(hostDeltas) / hostDeltas.length / elapsed) * 100 : null,
  };
}

async function timeMetrics(api: WorkerApi, times: number): Promise<Summary> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const text = await api.metricsText();
    ms.push(performance.now() - started);
    if (!text.includes('wa_sessions')) throw new Error('GET /metrics did not return the worker metrics');
  }
  return summarize(ms);
}
