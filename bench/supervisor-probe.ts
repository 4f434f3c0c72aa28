/**
 * `npx tsx bench/supervisor-probe.ts`: what the supervisor process itself costs (issue 15), start-up
 * and idle, for one or more builds of it in the same run (A/B). Pairs N sessions once against the
 * simulator, then for each round and each build: starts that build's worker, measures its CPU
 * (every thread, ns from schedstat) from spawn to N connected, waits SETTLE s, then its CPU and
 * wake-ups (context switches, every thread) over WINDOW s of idle, and stops it gracefully.
 *
 * Env: N (50), ROUNDS (2), SETTLE (20), WINDOW (60), SPARES (HOST_SPARES; unset = the default),
 * BUILDS (`label=path/to/dist,...`; default `this=<this tree>/dist`),
 * PROFILE=dir: profile the supervisor only (bench/lib/profile-preload.mjs): `sup-0` is spawn → N
 * connected, `sup-1` the SETTLE gap, `sup-2` the idle window. Profiling costs CPU: its rounds'
 * figures are not comparable with unprofiled ones.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../test/wa-sim/index.js';
import { WorkerApi } from './lib/api.js';
import { buildAll, DIST } from './lib/build.js';
import { pairAll, planSessions } from './lib/pairing.js';
import { percentile } from './lib/stats.js';
import { pollUntil, sleep } from './lib/wait.js';
import { WorkerProcess } from './lib/worker-process.js';

const n = Number(process.env.N ?? 50);
const rounds = Number(process.env.ROUNDS ?? 2);
const settleS = Number(process.env.SETTLE ?? 20);
const windowS = Number(process.env.WINDOW ?? 60);
const profileDir = process.env.PROFILE ? resolve(process.env.PROFILE) : undefined;
const mains = (process.env.BUILDS ?? `this=${DIST}`).split(',').map((pair) => {
  const [label, path] = pair.split('=');
  return { label: label!, path: resolve(path!) };
});
const PRELOAD = fileURLToPath(new URL('./lib/profile-preload.mjs', import.meta.url));

interface Usage {
  cpuS: number;
  switches: number;
  /** CPU seconds and switches by thread kind (`main`, `libuv-worker`, V8's `V8 DefaultWorke`, …). */
  threads: Map<string, { cpuS: number; switches: number }>;
}

/** CPU seconds and context switches of every thread of `pid`. */
function usage(pid: number): Usage {
  const out: Usage = { cpuS: 0, switches: 0, threads: new Map() };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const cpuS = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
      const st = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const switches = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(st)![1]) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(st)![1]);
      const kind = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const t = out.threads.get(kind) ?? { cpuS: 0, switches: 0 };
      t.cpuS += cpuS;
      t.switches += switches;
      out.threads.set(kind, t);
      out.cpuS += cpuS;
      out.switches += switches;
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/** Pure: per thread kind, CPU % of a core and wake-ups/s between two readings. */
function threadRates(u0: Usage, u1: Usage, elapsedS: number): Record<string, { percent: number; wakeupsPerS: number }> {
  const out: Record<string, { percent: number; wakeupsPerS: number }> = {};
  for (const [kind, b] of u1.threads) {
    const a = u0.threads.get(kind) ?? { cpuS: 0, switches: 0 };
    out[kind] = { percent: Math.round(((b.cpuS - a.cpuS) / elapsedS) * 100 * 1000) / 1000, wakeupsPerS: Math.round(((b.switches - a.switches) / elapsedS) * 10) / 10 };
  }
  return out;
}

await buildAll({ baseline: false });
const sim = await startSimulator();
const dataDir = mkdtempSync(join(tmpdir(), 'wa-sup-probe-'));
const sessions = planSessions('sup', n);
const env: Record<string, string> = {
  ...sim.childEnv(),
  DATA_DIR: dataDir,
  WORKER_ID: 'sup-probe',
  LOG_LEVEL: 'info',
  MAX_SESSIONS: String(Math.max(500, n)),
  ...(process.env.SPARES === undefined ? {} : { HOST_SPARES: process.env.SPARES }),
};
if (profileDir) mkdirSync(profileDir, { recursive: true });
const results: Record<string, { startMs: number; startCpuS: number; idlePercent: number; idleWakeupsPerS: number; load: number }[]> = {};
try {
  const pairing = await WorkerProcess.start({ preloadPath: sim.preloadPath, env: { ...env, HOST_SPARES: '0' } });
  const api0 = new WorkerApi(pairing.url);
  await pollUntil(async () => ((await api0.health())?.recovery?.phase === 'done' ? true : undefined), { timeoutMs: 60_000, what: 'an empty worker' });
  await pairAll(api0, sim, sessions, { batch: 10, timeoutMs: 120_000 + n * 3000 });
  await pairing.stop();
  console.log(`paired ${n}`);
  for (let r = 0; r < rounds; r++) {
    for (const main of mains) {
      const load = Math.round(loadavg()[0]! * 100) / 100;
      const worker = await WorkerProcess.start({
        preloadPath: sim.preloadPath,
        env: { ...env, ...(profileDir ? { SUP_PROFILE_DIR: join(profileDir, `${main.label}-r${r}`) } : {}) },
        dist: main.path,
        ...(profileDir ? { extraImports: [PRELOAD] } : {}),
      });
      if (profileDir) mkdirSync(join(profileDir, `${main.label}-r${r}`), { recursive: true });
      try {
        const api = new WorkerApi(worker.url);
        await pollUntil(async () => ((await api.health().catch(() => undefined))?.sessions?.byStatus?.connected === n ? true : undefined), { timeoutMs: 120_000 + n * 3000, intervalMs: 100, what: `${n} connected`, last: () => worker.tail(5) });
        const startMs = Date.now() - worker.spawnedAt;
        const startCpuS = usage(worker.pid).cpuS;
        if (profileDir) process.kill(worker.pid, 'SIGUSR2');
        await sleep(settleS * 1000);
        if (profileDir) process.kill(worker.pid, 'SIGUSR2');
        const u0 = usage(worker.pid);
        const t0 = performance.now();
        await sleep(windowS * 1000);
        const u1 = usage(worker.pid);
        const elapsedS = (performance.now() - t0) / 1000;
        if (profileDir) process.kill(worker.pid, 'SIGUSR2');
        await sleep(500);
        const row = { startMs, startCpuS: Math.round(startCpuS * 1000) / 1000, idlePercent: Math.round(((u1.cpuS - u0.cpuS) / elapsedS) * 100 * 1000) / 1000, idleWakeupsPerS: Math.round(((u1.switches - u0.switches) / elapsedS) * 10) / 10, load };
        (results[main.label] ??= []).push(row);
        console.log(JSON.stringify({ n, round: r, build: main.label, ...row, idleThreads: threadRates(u0, u1, elapsedS) }));
      } finally {
        const stop = await worker.stop();
        if (stop.code !== 0) console.log(`worker stop: ${JSON.stringify(stop)}\n${worker.tail()}`);
      }
    }
  }
  for (const [label, rows] of Object.entries(results)) {
    const m = (k: 'startMs' | 'startCpuS' | 'idlePercent' | 'idleWakeupsPerS' | 'load'): number | null => percentile(rows.map((row) => row[k]), 0.5);
    console.log(JSON.stringify({ summary: label, n, runs: rows.length, startMs: m('startMs'), startCpuS: m('startCpuS'), idlePercent: m('idlePercent'), idleWakeupsPerS: m('idleWakeupsPerS'), load: m('load') }));
  }
} finally {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
}
// The simulator's idle sockets can hold the loop open; everything this probe started is stopped.
process.exit(0);
