/**
 * `npx tsx bench/snapshot/ab.ts` (env N, default 10). Experiment (issue 15, phase 1): a Node 20
 * startup snapshot of the session host against today's host, same run, one host at a time, on
 * sessions paired first and then recovered from local auth (no QR). Variants, interleaved per round:
 *   esm   the ESM host before the code-cache entry: ESM_HOST=<build>/dist/host/session-host.mjs with
 *         ESM_PRELOAD=<its trust-sim.js> (`bash bench/code-cache/esm-host.sh 20825aa` builds both);
 *         skipped when unset
 *   prod  the production entry (dist/host/session-host.mjs, the code-cache loader) with a warm
 *         `--code-cache` folder (written by a first host) + the simulator's --import preload
 *   snap  node --snapshot-blob dist/bench/snapshot/host.blob + bench/snapshot/sim-preload.cjs
 * Each host: CPU of all its threads fork → `connected` (schedstat), wall fork → `connected`, the
 * host's own boot-cost phases, PSS 2.5 s after `connected`.
 * STORAGE=minio: sessions are paired to and restored from a real S3 server (s3rver, the minio
 * driver, loaded lazily inside every variant) instead of local files.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SPEC } from '../../src/config/spec.js';
import { CODE_CACHE_ARG } from '../../src/ipc/host-argv.js';
import type { HostInit, QrMessage } from '../../src/ipc/protocol.js';
import { minioSettings, startS3rver } from '../../test/support/s3/s3rver-server.js';
import { startSimulator } from '../../test/wa-sim/index.js';
import { buildOnce, HOST_MAIN, makeInit, startHost } from '../../test/support/host-harness.js';
// @ts-expect-error an untyped .mjs build script
import { buildSnapshotBlob, SNAPSHOT_BUNDLE } from './build.mjs';
import { median } from '../lib/stats.js';
import { pssMbOf, threadCpuMsOf } from '../lib/proc.js';

const N = Number(process.env.N ?? 10);
// Like with like: every variant (and the blob's build) gets the hosts' default HOST_NODE_FLAGS and
// HOST_GLIBC_TUNABLES (env FLAGS / GLIBC_TUNABLES override them).
const FLAGS = (process.env.FLAGS ?? SPEC.hostNodeFlags.default).split(/\s+/).filter((f) => f !== '');
const GLIBC = process.env.GLIBC_TUNABLES ?? SPEC.hostGlibcTunables.default;
const HERE = dirname(fileURLToPath(import.meta.url));
const SIM_PRELOAD_CJS = join(HERE, 'sim-preload.cjs');
type Variant = 'esm' | 'prod' | 'snap';
const ESM_HOST = process.env.ESM_HOST;
const ESM_PRELOAD = process.env.ESM_PRELOAD;
if ((ESM_HOST === undefined) !== (ESM_PRELOAD === undefined)) throw new Error('set ESM_HOST and ESM_PRELOAD together (bench/code-cache/esm-host.sh)');
// The production entry, or another build of it (PROD_HOST + PROD_PRELOAD, e.g. a branch not on main yet).
const PROD_HOST = process.env.PROD_HOST ?? HOST_MAIN;
const PROD_PRELOAD = process.env.PROD_PRELOAD;
const VARIANTS = (process.env.VARIANTS ?? (ESM_HOST === undefined ? 'prod,snap' : 'esm,prod,snap')).split(',') as Variant[];

buildOnce();
const BLOB = (await buildSnapshotBlob(FLAGS)) as string;
const sim = await startSimulator();
const s3 = process.env.STORAGE === 'minio' ? await startS3rver() : undefined;
const storageFor = (dataDir: string): Partial<HostInit> => (s3 ? { storage: minioSettings(s3) } : { storage: { driver: 'local', dataDir } });
const root = mkdtempSync(join(tmpdir(), 'r15-snap-'));
const cacheDir = join(root, 'code-cache');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// 1. Pair N sessions with the production host, then stop them (auth stays in each data dir).
const sessions: { id: string; dataDir: string }[] = [];
for (let i = 0; i < N; i++) {
  const id = `snap-${i}`;
  const dataDir = join(root, id);
  const h = startHost({ sessionId: id, dataDir, execArgv: ['--import', sim.preloadPath], env: sim.childEnv(), init: { waWebsocketUrl: sim.url, ...storageFor(dataDir) } });
  const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr', 60_000);
  await sim.scan(qr.qr, { phone: String(15550080000 + i) });
  await h.waitStatus('connected', 60_000); // pairing is setup, not measured: generous under load
  await h.waitFor((m) => m.type === 'snapshot', 60_000);
  await h.request({ type: 'stop' });
  await h.waitExit();
  sessions.push({ id, dataDir });
}
console.log(`paired ${N}`);

interface Run { cpuMs: number; wallMs: number; phases: Record<string, number>; pss: number; uploads: number; storageOpsOk: number; codeCache?: string }

function forkVariant(variant: Variant, id: string) {
  const common = { serialization: 'json' as const, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[] };
  const env = { ...process.env, ...sim.childEnv(), ...(GLIBC ? { GLIBC_TUNABLES: GLIBC } : {}) };
  if (variant === 'esm') return fork(ESM_HOST!, ['--session', id], { ...common, env, execArgv: [...FLAGS, '--import', ESM_PRELOAD!] });
  if (variant === 'prod') return fork(PROD_HOST, [CODE_CACHE_ARG, cacheDir, '--session', id], { ...common, env, execArgv: [...FLAGS, '--import', PROD_PRELOAD ?? sim.preloadPath] });
  return fork(SNAPSHOT_BUNDLE, ['--session', id], { ...common, env, execArgv: [...FLAGS, '--snapshot-blob', BLOB, '--require', SIM_PRELOAD_CJS] });
}

async function runHost(variant: Variant, s: { id: string; dataDir: string }): Promise<Run> {
  const forkedAt = performance.now();
  const child = forkVariant(variant, s.id);
  let phases: Record<string, number> = {};
  let codeCache: string | undefined; // the code-cache entry says `used`, `cold`, ... in its boot-cost line
  let errTail = '';
  child.stderr!.on('data', (d: Buffer) => { errTail = (errTail + d.toString()).slice(-2000); });
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.includes('session host boot cost')) {
      const line = JSON.parse(l) as { bootCost: { cpuMs: Record<string, number> }; codeCache?: string };
      phases = line.bootCost.cpuMs;
      codeCache = line.codeCache;
    }
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
      if (m.type === 'status' && m.status === 'connected') { cpuMs = threadCpuMsOf(child.pid!); wallMs = performance.now() - forkedAt; clearTimeout(t); resolve(); }
      if (m.type === 'status' && m.status === 'qr_required') reject(new Error(`${variant}: QR, auth not restored`));
    });
    child.on('exit', (c) => reject(new Error(`${variant} exited ${c}: ${errTail}`)));
  });
  child.send(makeInit({ sessionId: s.id, dataDir: s.dataDir, init: { waWebsocketUrl: sim.url, isRecovery: true, ...storageFor(s.dataDir) } }));
  await connected;
  await sleep(2500); // first upload, the boot-cost line, and (prod, first run) the cache write
  const pss = pssMbOf(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop', id: 1 });
  await exited;
  return { cpuMs, wallMs, phases, pss, uploads, storageOpsOk, codeCache };
}

// 2. Warm-up: one host of each variant (the first prod host writes the code cache; page cache).
for (const v of VARIANTS) await runHost(v, sessions[0]!);
if (VARIANTS.includes('prod') && readdirSync(cacheDir).length === 0) throw new Error('the first production host wrote no code cache');

// 3. Rounds: every variant once per session, interleaved, alternating the order.
const results = Object.fromEntries(VARIANTS.map((v) => [v, [] as Run[]])) as Record<Variant, Run[]>;
const loads: number[] = [];
for (let i = 0; i < N; i++) {
  loads.push(loadavg()[0]!);
  for (const v of i % 2 ? [...VARIANTS].reverse() : VARIANTS) results[v].push(await runHost(v, sessions[i]!));
}
const prodCache = [...new Set((results.prod ?? []).map((r) => r.codeCache))];
if (VARIANTS.includes('prod') && (prodCache.length !== 1 || prodCache[0] !== 'used')) throw new Error(`production hosts reported codeCache ${prodCache.join(', ')}, not used`);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
console.log(JSON.stringify({ node: process.version, flags: FLAGS, glibcTunables: GLIBC, storage: s3 ? 'minio (s3rver)' : 'local', variants: VARIANTS, esmHost: ESM_HOST ?? null, prodHost: PROD_HOST, commit, dirty, n: N, blobMB: +(statSync(BLOB).size / 1e6).toFixed(1), loadAvg1: { min: Math.min(...loads), max: Math.max(...loads) } }));
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
for (const [a, b] of [['snap', 'esm'], ['snap', 'prod'], ['prod', 'esm']] as const) {
  if (!summary[a] || !summary[b]) continue;
  const r = (k: string) => (summary[a]![k]! / summary[b]![k]!).toFixed(2);
  console.log(`${a} / ${b}: cpu ${r('cpuToConnectedMs')}, wall ${r('wallToConnectedMs')}, imported ${r('imported')}, ready ${r('ready')}, connected ${r('connected')}, pss ${r('pssMB')}`);
}
if (process.env.RAW) console.log(JSON.stringify(results));
await sim.close();
await s3?.close();
rmSync(root, { recursive: true, force: true });
