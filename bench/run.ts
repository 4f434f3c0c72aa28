/**
 * `npm run bench`: the worker against the WhatsApp simulator on this machine, for each N in
 * BENCH_N (default 10,50,100), plus in-process /metrics and heartbeat costs at 1,000 sessions
 * and the one-process baseline. Writes bench/results/<date>.json and prints markdown tables.
 * What each figure means: bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseBenchOptions } from './lib/args.js';
import { buildAll, ROOT } from './lib/build.js';
import { measureInProcess } from './lib/in-process.js';
import { measureSize, type SizeResult } from './lib/scenario.js';
import { round } from './lib/stats.js';
import { inProcessTable, sizesTable } from './lib/table.js';

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Uncommitted changes to tracked files: the figures then belong to no commit exactly. */
function gitDirty(): boolean | null {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    return null;
  }
}

/** CPU ms of Node's own bootstrap with the hosts' flags (an empty script): the floor under the `imported` phase. */
function bootstrapCpuMs(flags: readonly string[], execPath: string): number | null {
  try {
    const out = execFileSync(execPath, [...flags, '-e', 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000))'], { encoding: 'utf8' });
    return Number(out);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  console.log(`[bench] sizes ${options.sizes.join(', ')}; ${options.kills} kills per size; baseline ${options.skipBaseline ? 'off' : 'on'}; node flags ${options.nodeFlags.join(' ') || 'none'}`);
  await buildAll({ baseline: !options.skipBaseline });
  const startedAt = new Date();
  const environment = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    commit: gitCommit(),
    dirty: gitDirty(),
  };

  const inProcess = await measureInProcess(options.registrySize);
  console.log(`\n${inProcessTable(inProcess)}\n`);

  const sizes: SizeResult[] = [];
  for (const n of options.sizes) sizes.push(await measureSize(n, options));

  // What the hosts ran, as read from a live host (every size forks the same entry with the same flags).
  const hostFlags = sizes[0]?.hostNodeFlags ?? [];
  const boots = Array.from({ length: 5 }, () => bootstrapCpuMs(hostFlags, options.hostNodePath ?? process.execPath)).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const hosts = { entry: sizes[0]?.hostEntry ?? null, nodeFlags: hostFlags, glibcTunables: sizes[0]?.hostGlibcTunables ?? null, node: sizes[0]?.hostNode ?? process.version, nodePath: options.hostNodePath ?? process.execPath, spares: options.spares ?? 'worker default', bootstrapCpuMsP50: boots[Math.floor(boots.length / 2)] ?? null };
  console.log(`[bench] hosts: ${hosts.entry} on Node ${hosts.node}, flags ${hostFlags.join(' ') || 'none'}, GLIBC_TUNABLES ${hosts.glibcTunables ?? 'none'}; empty Node bootstrap ${hosts.bootstrapCpuMsP50} CPU-ms`);
  const results = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), environment, hosts, options, inProcess, sizes };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  // Three decimals: figures are ms, MB or seconds; more digits are timer noise.
  writeFileSync(file, `${JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? round(v, 3) : v), 2)}\n`);
  console.log(`\n${sizesTable(sizes)}\n\n${inProcessTable(inProcess)}\n\nresults: ${file}`);
}

// One hard deadline for the whole run, so a stuck child can never hang a CI job.
const hardTimeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 45 * 60_000);
const deadline = setTimeout(() => {
  console.error(`[bench] gave up after ${hardTimeoutMs} ms (BENCH_TIMEOUT_MS)`);
  process.exit(1);
}, hardTimeoutMs);
deadline.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
