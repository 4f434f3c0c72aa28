/**
 * `npx tsx bench/boot-probe.ts`: where a session host's boot CPU goes after `init` (issue 15), and
 * A/B of two builds in the same run. Pairs N sessions on a worker against the simulator, then
 * restarts the worker ROUNDS times per build (builds alternate, order reversed every round, same
 * DATA_DIR and storage), each restart recovering all N at once (HOST_SPARES=0, so every host
 * boots from fork under the others' load; N=1 is a host alone), and prints the medians of each
 * host's own `session host boot cost` phases per build.
 *
 * Env: N (10), ROUNDS (3), STORAGE (local | s3: s3rver in this process), DISTS (comma-separated
 * dist/ folders, default this tree's dist/; the first pairs), PROF=<dir> (hosts run with
 * --cpu-prof, one .cpuprofile per host under <dir>/<build>-<round>/), ENCRYPT=1 (AUTH_ENCRYPTION_KEY set),
 * CONCURRENCY (RECOVERY_CONCURRENCY, worker default), WIPE=1 (every local auth folder deleted before
 * each restart: each host restores from storage, as on a fresh disk; with STORAGE=s3).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver, type RunningS3rver } from '../test/support/s3/s3rver-server.js';
import { startSimulator } from '../test/wa-sim/index.js';
import { WorkerApi } from './lib/api.js';
import { buildAll, DIST } from './lib/build.js';
import { pairAll, planSessions } from './lib/pairing.js';
import { summarize } from './lib/stats.js';
import { pollUntil } from './lib/wait.js';
import { WorkerProcess, type BootCostRecord } from './lib/worker-process.js';

const n = Number(process.env.N ?? 10);
const rounds = Number(process.env.ROUNDS ?? 3);
const storage = process.env.STORAGE === 's3' ? 's3' : 'local';
const dists = (process.env.DISTS ?? DIST).split(',').filter(Boolean);
const profDir = process.env.PROF;
const PHASES = ['imported', 'init', 'ready', 'connected', 'uploaded'] as const;

await buildAll({ baseline: false });
const sim = await startSimulator();
let s3: RunningS3rver | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'wa-boot-probe-'));
try {
  const env: Record<string, string> = {
    ...sim.childEnv(),
    DATA_DIR: dataDir,
    WORKER_ID: 'boot-probe',
    LOG_LEVEL: 'info',
    HOST_SPARES: '0',
    ...(process.env.CONCURRENCY ? { RECOVERY_CONCURRENCY: process.env.CONCURRENCY } : {}),
    ...(process.env.ENCRYPT ? { AUTH_ENCRYPTION_KEY: 'a'.repeat(64) } : {}),
  };
  if (storage === 's3') {
    s3 = await startS3rver();
    Object.assign(env, { STORAGE_DRIVER: 'minio', MINIO_ENDPOINT: s3.host, MINIO_PORT: String(s3.port), MINIO_ACCESS_KEY: s3.accessKey, MINIO_SECRET_KEY: s3.secretKey, MINIO_BUCKET: 'boot-probe' });
  }
  const sessions = planSessions('probe', n);
  const first = await WorkerProcess.start({ preloadPath: sim.preloadPath, env, dist: dists[0] });
  const api0 = new WorkerApi(first.url);
  await pollUntil(async () => ((await api0.health())?.recovery?.phase === 'done' ? true : first.running ? undefined : Promise.reject(new Error(first.tail()))), { timeoutMs: 60_000, what: 'an empty worker', last: () => first.tail(5) });
  await pairAll(api0, sim, sessions, { batch: 10, timeoutMs: 120_000 });
  const stop0 = await first.stop();
  if (stop0.code !== 0) throw new Error(`worker stop ${JSON.stringify(stop0)}: ${first.tail()}`);
  const folder = join(dataDir, 'sessions', readdirSync(join(dataDir, 'sessions')).find((d) => !d.startsWith('.'))!);
  const names = readdirSync(folder);
  const bytes = names.reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
  console.log(`paired ${n} sessions (${storage} storage${process.env.ENCRYPT ? ', encrypted' : ''}; an auth folder holds ${names.length} files, ${bytes} bytes); ${rounds} rounds × ${dists.length} builds`);

  const costs = new Map<string, BootCostRecord[]>(dists.map((d) => [d, []]));
  const recoveries = new Map<string, number[]>(dists.map((d) => [d, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? dists : [...dists].reverse();
    for (const dist of order) {
      const label = `b${dists.indexOf(dist)}`;
      const cwd = profDir ? join(profDir, `${label}-${round}`) : undefined;
      if (cwd) mkdirSync(cwd, { recursive: true });
      if (process.env.WIPE) rmSync(join(dataDir, 'sessions'), { recursive: true, force: true });
      const load = loadavg()[0]!.toFixed(2);
      const worker = await WorkerProcess.start({ preloadPath: sim.preloadPath, env: { ...env, ...(profDir ? { HOST_NODE_FLAGS: '--max-semi-space-size=1 --cpu-prof' } : {}) }, dist, ...(cwd ? { cwd } : {}) });
      const api = new WorkerApi(worker.url);
      await pollUntil(async () => ((await api.health())?.sessions?.byStatus?.connected === n ? true : worker.running ? undefined : Promise.reject(new Error(worker.tail()))), { timeoutMs: 60_000 + n * 3_000, intervalMs: 100, what: `${n} connected`, last: () => worker.tail(5) });
      const recoveryMs = Date.now() - worker.spawnedAt;
      await pollUntil(async () => (worker.bootCosts.length >= n ? true : undefined), { timeoutMs: 30_000, what: 'boot costs', last: () => `${worker.bootCosts.length}/${n}` });
      const stop = await worker.stop();
      if (stop.code !== 0) throw new Error(`worker stop ${JSON.stringify(stop)}: ${worker.tail()}`);
      costs.get(dist)!.push(...worker.bootCosts);
      recoveries.get(dist)!.push(recoveryMs);
      const p50 = (phase: string) => summarize(worker.bootCosts.map((c) => c.cpuMs[phase] ?? NaN).filter(Number.isFinite)).p50;
      console.log(`round ${round} ${label} (load ${load}): start → ${n} connected ${recoveryMs} ms; p50 CPU ms ${PHASES.map((p) => `${p} ${p50(p)}`).join(', ')}`);
    }
  }
  console.log(`\nmedians over ${rounds} rounds (CPU ms per host, from its boot cost line):`);
  console.log(`| build | hosts | ${PHASES.join(' | ')} | init→uploaded | start→N connected p50 ms | init→ready wall ms | init→connected wall ms |`);
  console.log(`|---|---:|${PHASES.map(() => '---:').join('|')}|---:|---:|---:|---:|`);
  for (const [i, dist] of dists.entries()) {
    const list = costs.get(dist)!;
    const med = (f: (c: BootCostRecord) => number) => summarize(list.map(f).filter(Number.isFinite)).p50;
    const after = (c: BootCostRecord) => ['ready', 'connected', 'uploaded'].reduce((s, p) => s + (c.cpuMs[p] ?? NaN), 0);
    const wall = (from: string, to: string) => (c: BootCostRecord) => (c.atMs[to] ?? NaN) - (c.atMs[from] ?? NaN);
    console.log(`| b${i} ${dist} | ${list.length} | ${PHASES.map((p) => med((c) => c.cpuMs[p] ?? NaN)).join(' | ')} | ${med(after)} | ${summarize(recoveries.get(dist)!).p50} | ${med(wall('init', 'ready'))} | ${med(wall('init', 'connected'))} |`);
  }
} finally {
  await sim.close();
  await s3?.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
