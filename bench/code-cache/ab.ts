/**
 * `npx tsx bench/code-cache/ab.ts` (issue 15): the production host entry (dist/host/session-host.mjs,
 * a loader compiling the CommonJS bundle with a V8 code cache) cold and warm, and optionally an older
 * ESM host build, one host at a time on the same sessions, same run. Sessions are paired first, then
 * each round recovers every session once per variant from its local auth (no QR), interleaved.
 *
 *   off    no `--code-cache` (HOST_COMPILE_CACHE=false): compiled from source, nothing written; also
 *          what every host but the writer pays at a first boot, when they all start cold together
 *   cold   `--code-cache <empty folder>`: compiled from source, the cache written after connect
 *          (the one host that writes it after a new bundle or Node); `cpuTotalMs` includes the write
 *   warm   `--code-cache <folder>` holding the cache a first host wrote
 *   esm    ESM_HOST=<older build>/dist/host/session-host.mjs with ESM_PRELOAD=<its trust-sim.js>
 *          (bench/code-cache/esm-host.sh <commit> builds both); skipped when unset
 *
 * Env: N (default 10), FLAGS (default the HOST_NODE_FLAGS default). Prints medians and ratios.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SPEC } from '../../src/config/spec.js';
import type { QrMessage } from '../../src/ipc/protocol.js';
import { buildOnce, HOST_MAIN, makeInit, startHost } from '../../test/support/host-harness.js';
import { startSimulator } from '../../test/wa-sim/index.js';
import { median } from '../lib/stats.js';
import { pssMbOf, threadCpuMsOf } from '../lib/proc.js';

const N = Number(process.env.N ?? 10);
const FLAGS = (process.env.FLAGS ?? SPEC.hostNodeFlags.default).split(/\s+/).filter((f) => f !== '');
const ESM_HOST = process.env.ESM_HOST;
const ESM_PRELOAD = process.env.ESM_PRELOAD;
if ((ESM_HOST === undefined) !== (ESM_PRELOAD === undefined)) throw new Error('set ESM_HOST and ESM_PRELOAD together (bench/code-cache/esm-host.sh)');

buildOnce();
const sim = await startSimulator();
const root = mkdtempSync(join(tmpdir(), 'r15-cache-'));
const warmDir = join(root, 'compile-cache');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// 1. Pair N sessions with the production host, then stop them (auth stays in each data dir).
const sessions: { id: string; dataDir: string }[] = [];
for (let i = 0; i < N; i++) {
  const id = `cab-${i}`;
  const dataDir = join(root, id);
  const h = startHost({ sessionId: id, dataDir, execArgv: ['--import', sim.preloadPath], env: sim.childEnv(), init: { waWebsocketUrl: sim.url } });
  const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr');
  await sim.scan(qr.qr, { phone: String(15550090000 + i) });
  await h.waitStatus('connected');
  await h.waitFor((m) => m.type === 'snapshot');
  await h.request({ type: 'stop' });
  await h.waitExit();
  sessions.push({ id, dataDir });
}
console.log(`paired ${N}`);

type Variant = 'esm' | 'off' | 'cold' | 'warm';
interface Run {
  cpuAtConnectedMs: number;
  cpuTotalMs: number;
  phases: Record<string, number>;
  pss: number;
  codeCache: string | undefined;
}

async function runHost(variant: Variant, s: { id: string; dataDir: string }): Promise<Run> {
  const esm = variant === 'esm';
  const cacheDir = variant === 'warm' ? warmDir : variant === 'cold' ? mkdtempSync(join(root, 'cold-')) : undefined;
  const child = fork(esm ? ESM_HOST! : HOST_MAIN, [...(cacheDir === undefined ? [] : ['--code-cache', cacheDir]), '--session', s.id], {
    execArgv: [...FLAGS, '--import', esm ? ESM_PRELOAD! : sim.preloadPath],
    env: { ...process.env, ...sim.childEnv() },
    serialization: 'json',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let phases: Record<string, number> = {};
  let codeCache: string | undefined;
  let errTail = '';
  child.stderr!.on('data', (d: Buffer) => {
    errTail = (errTail + d.toString()).slice(-2000);
  });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.includes('session host boot cost')) return;
    const line = JSON.parse(l) as { bootCost: { cpuMs: Record<string, number> }; codeCache?: string };
    phases = line.bootCost.cpuMs;
    codeCache = line.codeCache;
  });
  let cpuAtConnected = NaN;
  const connected = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${variant} ${s.id}: not connected in 60 s: ${errTail}`)), 60_000);
    child.on('message', (m: { type: string; status?: string }) => {
      if (m.type === 'status' && m.status === 'connected') {
        cpuAtConnected = threadCpuMsOf(child.pid!);
        clearTimeout(t);
        resolve();
      }
      if (m.type === 'status' && m.status === 'qr_required') reject(new Error('QR: auth not restored'));
    });
    child.on('exit', (c) => reject(new Error(`${variant} exited ${c}: ${errTail}`)));
  });
  child.send(makeInit({ sessionId: s.id, dataDir: s.dataDir, init: { waWebsocketUrl: sim.url, isRecovery: true } }));
  await connected;
  await sleep(2500); // first upload, the boot-cost line, and (cold) the cache write
  const pss = pssMbOf(child.pid!);
  const cpuTotal = threadCpuMsOf(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop', id: 1 });
  await exited;
  if (variant === 'cold') rmSync(cacheDir!, { recursive: true, force: true });
  return { cpuAtConnectedMs: cpuAtConnected, cpuTotalMs: cpuTotal, phases, pss, codeCache };
}

// 2. The warm cache: written by one host after its first connect.
const first = await runHost('warm', sessions[0]!);
if (first.codeCache !== 'cold') throw new Error(`the first host's cache was ${first.codeCache}, not cold`);
console.log(`cache: ${readdirSync(warmDir).map((f) => `${f} ${statSync(join(warmDir, f)).size} B`).join(', ')}`);

// 3. Rounds: every variant once per session, interleaved (order reversed every other round).
const order: Variant[] = ESM_HOST === undefined ? ['off', 'cold', 'warm'] : ['esm', 'off', 'cold', 'warm'];
const results: Record<Variant, Run[]> = { esm: [], off: [], cold: [], warm: [] };
const loads: number[] = [];
for (let i = 0; i < N; i++) {
  loads.push(loadavg()[0]!);
  for (const v of i % 2 ? [...order].reverse() : order) results[v].push(await runHost(v, sessions[i]!));
}
for (const v of ['off', 'cold', 'warm'] as const) {
  const states = new Set(results[v].map((r) => r.codeCache));
  if (states.size !== 1 || !states.has(v === 'warm' ? 'used' : v)) throw new Error(`${v} hosts reported codeCache ${[...states].join(', ')}`);
}
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
console.log(JSON.stringify({ node: process.version, flags: FLAGS, commit: git('rev-parse', '--short', 'HEAD'), dirty, esmHost: ESM_HOST ?? null, n: N, loadAvg1: { min: Math.min(...loads), max: Math.max(...loads) } }));
const summary: Partial<Record<Variant, Record<string, number>>> = {};
for (const v of order) {
  const r = results[v];
  summary[v] = {
    cpuToConnectedMs: median(r.map((x) => x.cpuAtConnectedMs)),
    cpuTotalMs: median(r.map((x) => x.cpuTotalMs)),
    imported: median(r.map((x) => x.phases.imported ?? NaN)),
    ready: median(r.map((x) => x.phases.ready ?? NaN)),
    connected: median(r.map((x) => x.phases.connected ?? NaN)),
    pssMB: median(r.map((x) => x.pss)),
  };
}
console.table(summary);
const ratios = (a: Variant, b: Variant) =>
  Object.keys(summary[a]!)
    .map((k) => `${k} ${(summary[a]![k]! / summary[b]![k]!).toFixed(2)}`)
    .join(', ');
console.log(`warm / off: ${ratios('warm', 'off')}`);
console.log(`cold / off: ${ratios('cold', 'off')}`);
if (summary.esm) for (const v of ['warm', 'off', 'cold'] as const) console.log(`${v} / esm: ${ratios(v, 'esm')}`);
await sim.close();
rmSync(root, { recursive: true, force: true });
