/**
 * `npx tsx bench/code-cache/ab.ts` (N=10 by default; env N). Experiment (issue 15 part 2): host CPU with and without a V8 code cache on Node 20, same run,
 * one host at a time, sessions paired first and then recovered from local auth (no QR).
 * Variants, interleaved per round: esm (dist/host/session-host.mjs + sim preload, production entry),
 * cjs (the same sources as one CommonJS bundle compiled by vm.Script, no cache), cjs+cache (the same, with
 * the cache a host produced after its first connect).
 */
import { fork, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { QrMessage } from '../../src/ipc/protocol.js';
import { startSimulator } from '../../test/wa-sim/index.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnce, HOST_MAIN, makeInit, startHost } from '../../test/support/host-harness.js';
// @ts-expect-error an untyped .mjs build script
import { buildCodeCacheBundle } from './build.mjs';

const N = Number(process.env.N ?? 10);
const FLAGS = ['--max-semi-space-size=1'];
const LOADER = join(dirname(fileURLToPath(import.meta.url)), 'loader.cjs');

buildOnce();
const BUNDLE = (await buildCodeCacheBundle()) as string;
const sim = await startSimulator();
const root = mkdtempSync(join(tmpdir(), 'r15-cache-'));
const cacheDir = join(root, 'code-cache');

function cpuMsAll(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}
function pssMB(pid: number): number {
  const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return Number(m![1]) / 1024;
}
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
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

type Variant = 'esm' | 'cjs' | 'cjs+cache';
interface Run { cpuAtConnectedMs: number; phases: Record<string, number>; pss: number; cacheUsed?: boolean }

async function runHost(variant: Variant, s: { id: string; dataDir: string }): Promise<Run> {
  const esm = variant === 'esm';
  const child = fork(esm ? HOST_MAIN : LOADER, ['--session', s.id], {
    execArgv: esm ? [...FLAGS, '--import', sim.preloadPath] : FLAGS,
    env: { ...process.env, ...sim.childEnv(), CODE_CACHE_BUNDLE: BUNDLE, CODE_CACHE_DIR: variant === 'cjs+cache' ? cacheDir : '' },
    serialization: 'json',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let phases: Record<string, number> = {};
  let errTail = '';
  child.stderr!.on('data', (d: Buffer) => { errTail = (errTail + d.toString()).slice(-2000); });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.includes('session host boot cost')) phases = (JSON.parse(l) as { bootCost: { cpuMs: Record<string, number> } }).bootCost.cpuMs;
  });
  let cpuAtConnected = NaN;
  const connected = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${variant} ${s.id}: not connected in 60 s: ${errTail}`)), 60_000);
    child.on('message', (m: { type: string; status?: string }) => {
      if (m.type === 'status' && m.status === 'connected') { cpuAtConnected = cpuMsAll(child.pid!); clearTimeout(t); resolve(); }
      if (m.type === 'status' && m.status === 'qr_required') reject(new Error('QR: auth not restored'));
    });
    child.on('exit', (c) => reject(new Error(`${variant} exited ${c}: ${errTail}`)));
  });
  child.send(makeInit({ sessionId: s.id, dataDir: s.dataDir, init: { waWebsocketUrl: sim.url, isRecovery: true } }));
  await connected;
  await sleep(2500); // first upload, the boot-cost line, and (when producing) the cache write
  const pss = pssMB(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop', id: 1 });
  await exited;
  return { cpuAtConnectedMs: cpuAtConnected, phases, pss };
}

// 2. Produce the cache once (one host, connected, then stopped).
await runHost('cjs+cache', sessions[0]!);
const cacheFiles = readdirSync(cacheDir);
console.log(`cache: ${cacheFiles.map((f) => `${f} ${statSync(join(cacheDir, f)).size} B`).join(', ')}`);

// 3. Rounds: every variant once per session, interleaved (back to back).
const results: Record<Variant, Run[]> = { esm: [], cjs: [], 'cjs+cache': [] };
const order: Variant[] = ['esm', 'cjs', 'cjs+cache'];
const loads: number[] = [];
for (let i = 0; i < N; i++) {
  loads.push(loadavg()[0]!);
  for (const v of i % 2 ? [...order].reverse() : order) results[v].push(await runHost(v, sessions[i]!));
}
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
console.log(JSON.stringify({ node: process.version, flags: FLAGS, commit, dirty, n: N, loadAvg1: { min: Math.min(...loads), max: Math.max(...loads) } }));
const summary: Record<string, Record<string, number>> = {};
for (const v of order) {
  const r = results[v];
  summary[v] = {
    cpuToConnectedMs: median(r.map((x) => x.cpuAtConnectedMs)),
    imported: median(r.map((x) => x.phases.imported ?? NaN)),
    ready: median(r.map((x) => x.phases.ready ?? NaN)),
    connected: median(r.map((x) => x.phases.connected ?? NaN)),
    pssMB: median(r.map((x) => x.pss)),
  };
}
console.table(summary);
const ratio = (k: string) => (summary['cjs+cache']![k]! / summary.cjs![k]!).toFixed(2);
console.log(`ratios cjs+cache / cjs: cpuToConnected ${ratio('cpuToConnectedMs')}, imported ${ratio('imported')}, ready ${ratio('ready')}, connected ${ratio('connected')}, pss ${ratio('pssMB')}`);
const r2 = (k: string) => (summary['cjs+cache']![k]! / summary.esm![k]!).toFixed(2);
console.log(`ratios cjs+cache / esm: cpuToConnected ${r2('cpuToConnectedMs')}, imported ${r2('imported')}, pss ${r2('pssMB')}`);
await sim.close();
rmSync(root, { recursive: true, force: true });
