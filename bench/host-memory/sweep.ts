/**
 * `npx tsx bench/host-memory/sweep.ts` (issue 15, experiment): what a connected session host's
 * memory is made of, and what Node/V8 flags do to it and to CPU fork → connected. Real hosts
 * (dist/host/session-host.mjs, the production entry) against the simulator, recovered from local
 * auth (no QR), N at a time with CONCURRENCY booting at once (the supervisor's default on 2 cores
 * is 6), PSS read SETTLE s after the last connected (the bench reads it 3 s after).
 * Env: N (10), CONCURRENCY (6), SETTLE (3), ROUNDS (1; odd rounds run the configs in reverse),
 * CONFIGS ("flags|flags|..."; "none" = no flags), PROBE=1 (probe.mjs preload: V8 spaces + smaps
 * groups per host, PROBE_GC=1: after a full GC too, PROBE_SNAPSHOT=1: one heap snapshot),
 * OUT (JSON results file).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QrMessage } from '../../src/ipc/protocol.js';
import { buildOnce, startHost, type HostHandle } from '../../test/support/host-harness.js';
import { startSimulator } from '../../test/wa-sim/index.js';
import { groupSmaps, parseSmaps } from './smaps.js';
import { median } from '../lib/stats.js';
import { threadCpuMsOf } from '../lib/proc.js';

const N = Number(process.env.N ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 6);
const SETTLE_MS = Number(process.env.SETTLE ?? 3) * 1000;
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const PROBE = process.env.PROBE === '1';
const PROBE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'probe.mjs');
const CONFIGS = (process.env.CONFIGS ?? '--max-semi-space-size=1|none').split('|').map((c) => c.trim());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** utime, stime (ms, 10 ms ticks) and minor page faults of the whole process, from /proc/<pid>/stat. */
function stat(pid: number): { userMs: number; sysMs: number; minflt: number } {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return { minflt: Number(f[7]), userMs: Number(f[11]) * 10, sysMs: Number(f[12]) * 10 };
}
function rollup(pid: number): { pss: number; priv: number; rss: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(t)?.[1] ?? NaN);
  return { pss: kb('Pss') / 1024, priv: (kb('Private_Clean') + kb('Private_Dirty')) / 1024, rss: kb('Rss') / 1024 };
}

buildOnce();
const sim = await startSimulator();
const root = mkdtempSync(join(tmpdir(), 'r15-mem-'));
const probeDir = process.env.PROBE_KEEP ?? join(root, 'probe');
mkdirSync(probeDir, { recursive: true });

// 1. Pair N sessions once with the production host; every config then recovers the same ones.
const sessions: { id: string; dataDir: string }[] = [];
for (let i = 0; i < N; i++) {
  const id = `mem-${i}`;
  const dataDir = join(root, id);
  const h = startHost({ sessionId: id, dataDir, execArgv: ['--import', sim.preloadPath], env: sim.childEnv(), init: { waWebsocketUrl: sim.url } });
  const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr', 60_000);
  await sim.scan(qr.qr, { phone: String(15550070000 + i) });
  await h.waitStatus('connected', 60_000);
  await h.waitFor((m) => m.type === 'snapshot', 60_000);
  await h.request({ type: 'stop' }, 60_000);
  await h.waitExit(60_000);
  sessions.push({ id, dataDir });
}
console.log(`paired ${N}`);

interface HostRun { cpuMs: number; userMs: number; sysMs: number; minflt: number; pss: number; priv: number; rss: number; probe?: unknown }
interface ConfigRun { config: string; hosts: HostRun[]; failures: string[]; load: number }

async function runConfig(config: string): Promise<ConfigRun> {
  // Tokens like GLIBC_TUNABLES=... are the host's environment; the rest are node flags.
  const tokens = config === 'none' ? [] : config.split(/\s+/);
  const flags = tokens.filter((t) => !/^[A-Z_]+=/.test(t));
  const extraEnv = Object.fromEntries(tokens.filter((t) => /^[A-Z_]+=/.test(t)).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
  const load = loadavg()[0]!;
  const live: { h: HostHandle; cpuMs: number; st: ReturnType<typeof stat> }[] = [];
  const failures: string[] = [];
  let next = 0;
  const env = { ...sim.childEnv(), ...extraEnv, ...(PROBE ? { PROBE_DIR: probeDir } : {}) };
  async function lane(): Promise<void> {
    while (next < sessions.length) {
      const s = sessions[next++]!;
      const h = startHost({
        sessionId: s.id,
        dataDir: s.dataDir,
        execArgv: [...flags, '--import', sim.preloadPath, ...(PROBE ? ['--import', PROBE_PATH] : [])],
        env,
        init: { waWebsocketUrl: sim.url, isRecovery: true },
      });
      try {
        await h.waitStatus('connected', 60_000);
        live.push({ h, cpuMs: threadCpuMsOf(h.pid), st: stat(h.pid) });
      } catch (err) {
        failures.push(`${s.id}: ${(err as Error).message.slice(0, 300)} ${h.output.join('').slice(-400)}`);
        await h.dispose();
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  await sleep(SETTLE_MS);
  const hosts: HostRun[] = [];
  for (const { h, cpuMs, st } of live) hosts.push({ cpuMs, ...st, ...rollup(h.pid) });
  if (PROBE) {
    for (const { h } of live) h.child.kill('SIGUSR2');
    const deadline = Date.now() + 60_000;
    for (const [i, { h }] of live.entries()) {
      let file: string | undefined;
      while (!file && Date.now() < deadline) {
        file = readdirSync(probeDir).find((f) => f.startsWith(`${h.pid}-`) && f.endsWith('.json'));
        if (!file) await sleep(200);
      }
      if (file) {
        await sleep(300); // written in one call; let it land
        const p = JSON.parse(readFileSync(join(probeDir, file), 'utf8')) as { before: { smaps: string }; after?: { smaps: string } };
        hosts[i]!.probe = { ...p, before: { ...p.before, smaps: groupSmaps(parseSmaps(p.before.smaps)), top: parseSmaps(p.before.smaps).sort((a, b) => b.rssKb - a.rssKb).slice(0, 20) }, after: p.after ? { ...p.after, smaps: groupSmaps(parseSmaps(p.after.smaps)) } : undefined, afterRollup: rollup(h.pid) };
        rmSync(join(probeDir, file));
      }
    }
  }
  await Promise.all(live.map(async ({ h }) => {
    await h.request({ type: 'stop' }).catch(() => undefined);
    await h.waitExit(20_000).catch(() => h.dispose());
  }));
  return { config, hosts, failures, load };
}

const runs: ConfigRun[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const c of r % 2 ? [...CONFIGS].reverse() : CONFIGS) {
    const run = await runConfig(c);
    runs.push(run);
    console.log(`round ${r} ${c}: ${run.hosts.length} connected, ${run.failures.length} failed, load ${run.load.toFixed(1)}, cpu p50 ${median(run.hosts.map((h) => h.cpuMs)).toFixed(0)} ms, pss p50 ${median(run.hosts.map((h) => h.pss)).toFixed(1)} MB`);
    for (const f of run.failures.slice(0, 2)) console.log(`  failure: ${f}`);
  }
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
const table: Record<string, Record<string, number | string>> = {};
for (const c of CONFIGS) {
  const hosts = runs.filter((r) => r.config === c).flatMap((r) => r.hosts);
  table[c] = {
    hosts: hosts.length,
    failed: runs.filter((r) => r.config === c).reduce((a, r) => a + r.failures.length, 0),
    cpuToConnectedMs: Math.round(median(hosts.map((h) => h.cpuMs))),
    userMs: Math.round(median(hosts.map((h) => h.userMs))),
    sysMs: Math.round(median(hosts.map((h) => h.sysMs))),
    minorFaults: Math.round(median(hosts.map((h) => h.minflt))),
    pssMB: Number(median(hosts.map((h) => h.pss)).toFixed(1)),
    privateMB: Number(median(hosts.map((h) => h.priv)).toFixed(1)),
    rssMB: Number(median(hosts.map((h) => h.rss)).toFixed(1)),
  };
}
console.log(JSON.stringify({ node: process.version, commit, dirty, n: N, rounds: ROUNDS, concurrency: CONCURRENCY, settleMs: SETTLE_MS, loadAvg1: runs.map((r) => Number(r.load.toFixed(1))) }));
console.table(table);
if (process.env.OUT) {
  if (!existsSync(dirname(process.env.OUT))) mkdirSync(dirname(process.env.OUT), { recursive: true });
  writeFileSync(process.env.OUT, JSON.stringify({ node: process.version, commit, dirty, n: N, rounds: ROUNDS, concurrency: CONCURRENCY, settleMs: SETTLE_MS, table, runs }, null, 1));
}
await sim.close();
rmSync(root, { recursive: true, force: true });
