/**
 * `npx tsx bench/snapshot/ab.ts` (env N, default 10). Experiment (issue 15, phase 1): a Node 20
 * startup snapshot of the session host against today's host, same run, one host at a time, on
 * sessions paired first and then recovered from local auth (no QR). Variants, interleaved per round:
 *   esm        dist/host/session-host.mjs + the simulator's --import preload (production entry);
 *              ESM_HOST / ESM_PRELOAD point it at a saved copy once the production entry changes
 *   prod       dist/host/session-host.mjs + the simulator's --import preload, whatever it is
 *   snap       node --snapshot-blob dist/bench/snapshot/host.blob + bench/snapshot/sim-preload.cjs
 *   cjs+cache  bench/code-cache (one CommonJS bundle through vm.Script with a warm V8 code cache),
 *              the stand-in for the code-cache host until it is the production entry
 * Each host: CPU of all its threads fork → `connected` (schedstat), wall fork → `connected`, the
 * host's own boot-cost phases, PSS 2.5 s after `connected`.
 * STORAGE=minio: sessions are paired to and restored from a real S3 server (s3rver, the minio
 * driver, loaded lazily inside every variant) instead of local files.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { HostInit, QrMessage } from '../../src/ipc/protocol.js';
import { minioSettings, startS3rver } from '../../test/support/s3/s3rver-server.js';
import { startSimulator } from '../../test/wa-sim/index.js';
import { buildOnce, HOST_MAIN, makeInit, startHost } from '../../test/support/host-harness.js';
// @ts-expect-error an untyped .mjs build script
import { buildCodeCacheBundle } from '../code-cache/build.mjs';
// @ts-expect-error an untyped .mjs build script
import { buildSnapshotBlob, SNAPSHOT_BUNDLE } from './build.mjs';

const N = Number(process.env.N ?? 10);
const FLAGS = (process.env.HOST_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean);
const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE_LOADER = join(HERE, '..', 'code-cache', 'loader.cjs');
const SIM_PRELOAD_CJS = join(HERE, 'sim-preload.cjs');
const VARIANTS = (process.env.VARIANTS ?? 'esm,snap,cjs+cache').split(',') as Variant[];
type Variant = 'esm' | 'prod' | 'snap' | 'cjs+cache';
const ESM_HOST = process.env.ESM_HOST ?? HOST_MAIN;

buildOnce();
const CACHE_BUNDLE = (await buildCodeCacheBundle()) as string;
const BLOB = (await buildSnapshotBlob(FLAGS)) as string;
const sim = await startSimulator();
const s3 = process.env.STORAGE === 'minio' ? await startS3rver() : undefined;
const storageFor = (dataDir: string): Partial<HostInit> => (s3 ? { storage: minioSettings(s3) } : { storage: { driver: 'local', dataDir } });
const root = mkdtempSync(join(tmpdir(), 'r15-snap-'));
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
  const id = `snap-${i}`;
  const dataDir = join(root, id);
  const h = startHost({ sessionId: id, dataDir, execArgv: ['--import', sim.preloadPath], env: sim.childEnv(), init: { waWebsocketUrl: sim.url, ...storageFor(dataDir) } });
  const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr');
  await sim.scan(qr.qr, { phone: String(15550080000 + i) });
  await h.waitStatus('connected');
  await h.waitFor((m) => m.type === 'snapshot');
  await h.request({ type: 'stop' });
  await h.waitExit();
  sessions.push({ id, dataDir });
}
console.log(`paired ${N}`);

interface Run { cpuMs: number; wallMs: number; phases: Record<string, number>; pss: number; uploads: number; storageOpsOk: number }

function forkVariant(variant: Variant, id: string) {
  const common = { serialization: 'json' as const, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[] };
  const env = { ...process.env, ...sim.childEnv() };
  if (variant === 'esm') return fork(ESM_HOST, ['--session', id], { ...common, env, execArgv: [...FLAGS, '--import', process.env.ESM_PRELOAD ?? sim.preloadPath] });
  if (variant === 'prod') return fork(HOST_MAIN, ['--session', id], { ...common, env, execArgv: [...FLAGS, '--import', sim.preloadPath] });
  if (variant === 'snap') return fork(SNAPSHOT_BUNDLE, ['--session', id], { ...common, env, execArgv: [...FLAGS, '--snapshot-blob', BLOB, '--require', SIM_PRELOAD_CJS] });
  return fork(CACHE_LOADER, ['--session', id], { ...common, env: { ...env, CODE_CACHE_BUNDLE: CACHE_BUNDLE, CODE_CACHE_DIR: cacheDir }, execArgv: FLAGS });
}

async function runHost(variant: Variant, s: { id: string; dataDir: string }): Promise<Run> {
  const forkedAt = performance.now();
  const child = forkVariant(variant, s.id);
  let phases: Record<string, number> = {};
  let errTail = '';
  child.stderr!.on('data', (d: Buffer) => { errTail = (errTail + d.toString()).slice(-2000); });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.includes('session host boot cost')) phases = (JSON.parse(l) as { bootCost: { cpuMs: Record<string, number> } }).bootCost.cpuMs;
    else if (/"level":(4|5|6)0/.test(l) && !l.includes('"level":30')) errTail = (errTail + l).slice(-2000);
  });
  let cpuMs = NaN;
  let wallMs = NaN;
  let uploads = 0; // `snapshot` messages: the host's auth uploads (through the minio driver with STORAGE=minio)
  let storageOpsOk = 0; // `storage-op` messages with ok: the remote head read at restore, uploads
  child.on('message', (m: { type: string; ok?: boolean }) => {
    if (m.type === 'snapshot') uploads++;
    if (m.type === 'storage-op' && m.ok === true) storageOpsOk++;
  });
  const connected = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${variant} ${s.id}: not connected in 60 s: ${errTail}`)), 60_000);
    child.on('message', (m: { type: string; status?: string }) => {
      if (m.type === 'status' && m.status === 'connected') { cpuMs = cpuMsAll(child.pid!); wallMs = performance.now() - forkedAt; clearTimeout(t); resolve(); }
      if (m.type === 'status' && m.status === 'qr_required') reject(new Error(`${variant}: QR, auth not restored`));
    });
    child.on('exit', (c) => reject(new Error(`${variant} exited ${c}: ${errTail}`)));
  });
  child.send(makeInit({ sessionId: s.id, dataDir: s.dataDir, init: { waWebsocketUrl: sim.url, isRecovery: true, ...storageFor(s.dataDir) } }));
  await connected;
  await sleep(2500); // first upload, the boot-cost line, and (cjs+cache, first run) the cache write
  const pss = pssMB(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop', id: 1 });
  await exited;
  return { cpuMs, wallMs, phases, pss, uploads, storageOpsOk };
}

// 2. Warm-up: produce the code cache once, and one host of each other variant (page cache).
if (VARIANTS.includes('cjs+cache')) await runHost('cjs+cache', sessions[0]!);
for (const v of VARIANTS.filter((x) => x !== 'cjs+cache')) await runHost(v, sessions[0]!);

// 3. Rounds: every variant once per session, interleaved, alternating the order.
const results = Object.fromEntries(VARIANTS.map((v) => [v, [] as Run[]])) as Record<Variant, Run[]>;
const loads: number[] = [];
for (let i = 0; i < N; i++) {
  loads.push(loadavg()[0]!);
  for (const v of i % 2 ? [...VARIANTS].reverse() : VARIANTS) results[v].push(await runHost(v, sessions[i]!));
}
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
console.log(JSON.stringify({ node: process.version, flags: FLAGS, storage: s3 ? 'minio (s3rver)' : 'local', variants: VARIANTS, esmHost: ESM_HOST, commit, dirty, n: N, blobMB: +(statSync(BLOB).size / 1e6).toFixed(1), loadAvg1: { min: Math.min(...loads), max: Math.max(...loads) } }));
const summary: Record<string, Record<string, number>> = {};
for (const v of VARIANTS) {
  const r = results[v];
  summary[v] = {
    cpuToConnectedMs: Math.round(median(r.map((x) => x.cpuMs))),
    wallToConnectedMs: Math.round(median(r.map((x) => x.wallMs))),
    imported: median(r.map((x) => x.phases.imported ?? NaN)),
    init: median(r.map((x) => x.phases.init ?? NaN)),
    ready: median(r.map((x) => x.phases.ready ?? NaN)),
    connected: median(r.map((x) => x.phases.connected ?? NaN)),
    pssMB: +median(r.map((x) => x.pss)).toFixed(1),
    hostsThatUploaded: r.filter((x) => x.uploads > 0).length,
    hostsWithStorageOps: r.filter((x) => x.storageOpsOk > 0).length,
  };
}
console.table(summary);
for (const [a, b] of [['snap', 'esm'], ['snap', 'prod'], ['snap', 'cjs+cache'], ['cjs+cache', 'esm'], ['prod', 'esm']] as const) {
  if (!summary[a] || !summary[b]) continue;
  const r = (k: string) => (summary[a]![k]! / summary[b]![k]!).toFixed(2);
  console.log(`${a} / ${b}: cpu ${r('cpuToConnectedMs')}, wall ${r('wallToConnectedMs')}, imported ${r('imported')}, ready ${r('ready')}, connected ${r('connected')}, pss ${r('pssMB')}`);
}
if (process.env.RAW) console.log(JSON.stringify(results));
await sim.close();
await s3?.close();
rmSync(root, { recursive: true, force: true });
