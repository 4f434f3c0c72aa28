/**
 * `npx tsx bench/idle-probe.ts`: what idle hosts cost, thread by thread (issue 15). Pairs N sessions
 * on a worker against the simulator, restarts it (RESTART=0: no restart), then prints, for WINDOWS
 * consecutive windows of WINDOW seconds after SETTLE seconds, each host's CPU (all threads, ns from
 * /proc/<pid>/task/<tid>/schedstat) and wake-ups (context switches) per thread name. Env: N (5),
 * WINDOW (30), WINDOWS (1), SETTLE (3), SPARES (HOST_SPARES, 0), HOST_NODE_FLAGS (e.g.
 * "--max-semi-space-size=1 --trace-gc" with GCLOG=1 to print the hosts' GC lines), TAIL=1 (worker log).
 * This is how the memory reducer's GCs after boot and the 250 ms lag timer were found.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../test/wa-sim/index.js';
import { WorkerApi } from './lib/api.js';
import { buildAll } from './lib/build.js';
import { pairAll, planSessions, waitAllConnected } from './lib/pairing.js';
import { pollUntil, sleep } from './lib/wait.js';
import { WorkerProcess } from './lib/worker-process.js';
import { createInterface } from 'node:readline';

const t00 = Date.now();
function watchGc(w: WorkerProcess): void {
  if (!process.env.GCLOG) return;
  createInterface({ input: w.child.stdout! }).on('line', (line) => {
    if (/Mark-Compact|Mark-sweep|Scavenge|session host ready|connected|Memory reducer|reducer/i.test(line) && !line.startsWith('{')) console.log(`${((Date.now() - t00) / 1000).toFixed(1)}s ${line.slice(0, 200)}`);
  });
}

const n = Number(process.env.N ?? 5);
const windowS = Number(process.env.WINDOW ?? 30);
const settleS = Number(process.env.SETTLE ?? 3);

function threads(pid: number): Map<string, { ns: number; sw: number }> {
  const out = new Map<string, { ns: number; sw: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const st = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const sw = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(st)![1]) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st)![1]);
      const key = `${comm}#${tid === String(pid) ? 'main' : tid}`;
      out.set(key, { ns, sw });
    } catch {
      /* gone */
    }
  }
  return out;
}

await buildAll({ baseline: false });
const sim = await startSimulator();
const dataDir = mkdtempSync(join(tmpdir(), 'wa-idle-'));
const sessions = planSessions('idle', n);
const env = { ...sim.childEnv(), DATA_DIR: dataDir, WORKER_ID: 'idle-probe', LOG_LEVEL: 'info', HOST_SPARES: process.env.SPARES ?? '0', ...(process.env.HOST_NODE_FLAGS ? { HOST_NODE_FLAGS: process.env.HOST_NODE_FLAGS } : {}) };
let worker = await WorkerProcess.start({ preloadPath: sim.preloadPath, env });
watchGc(worker);
try {
  let api = new WorkerApi(worker.url);
  await pollUntil(async () => ((await api.health())?.recovery?.phase === 'done' ? true : undefined), { timeoutMs: 60_000, what: 'ready' });
  await pairAll(api, sim, sessions, { batch: 10, timeoutMs: 120_000 });
  if (process.env.RESTART !== '0') {
    await worker.stop();
    worker = await WorkerProcess.start({ preloadPath: sim.preloadPath, env });
    watchGc(worker);
    console.log(`${((Date.now() - t00) / 1000).toFixed(1)}s restarted`);
    api = new WorkerApi(worker.url);
    const a = api;
    await pollUntil(async () => ((await a.health().catch(() => undefined))?.sessions?.byStatus?.connected === n ? true : undefined), { timeoutMs: 120_000, what: 'recovered' });
  }
  const live = await waitAllConnected(api, sessions, 120_000);
  console.log(`${((Date.now() - t00) / 1000).toFixed(1)}s all connected`);
  await sleep(settleS * 1000);
  const pids = [...live.values()].map((s) => s.pid!);
  for (let w = 0; w < Number(process.env.WINDOWS ?? 1); w++) {
  const t0 = pids.map(threads);
  const started = performance.now();
  await sleep(windowS * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const t1 = pids.map(threads);
  const perThread = new Map<string, { ms: number; sw: number }>();
  const perHost: number[] = [];
  pids.forEach((_, i) => {
    let total = 0;
    for (const [k, v] of t1[i]!) {
      const b = t0[i]!.get(k);
      if (!b) continue;
      const name = k.replace(/#\d+$/, '#worker');
      const cur = perThread.get(name) ?? { ms: 0, sw: 0 };
      cur.ms += (v.ns - b.ns) / 1e6;
      cur.sw += v.sw - b.sw;
      perThread.set(name, cur);
      total += (v.ns - b.ns) / 1e6;
    }
    perHost.push(total);
  });
  perHost.sort((a, b) => a - b);
  const mean = perHost.reduce((a, b) => a + b, 0) / perHost.length;
  console.log(`${((Date.now() - t00) / 1000).toFixed(1)}s window`, JSON.stringify({ n, windowS: elapsed, load: loadavg(), at: Math.round(performance.now() / 1000), hostIdlePercentMean: (mean / 1000 / elapsed) * 100, perHostMs: perHost.map((v) => Math.round(v * 10) / 10) }));
  for (const [k, v] of [...perThread].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${k.padEnd(24)} ${(v.ms / pids.length).toFixed(2)} ms/host  ${(v.sw / pids.length / elapsed).toFixed(2)} wakeups/s/host`);
  }
  if (process.env.TAIL) console.log(worker.tail(60));
} finally {
  await worker.stop();
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
}
