/**
 * Pure: the benchmark's knobs from argv and the environment. Every knob has an env name (for
 * `npm run bench` with variables) and a flag (for `npm run bench -- --n 10,50`); flags win.
 */

export interface BenchOptions {
  /** Session counts to measure, in order. */
  sizes: number[];
  /** Hosts killed one after the other per size, for kill → connected. */
  kills: number;
  /** Sessions paired at once (QR → scan) while setting a size up. */
  pairBatch: number;
  /** RECOVERY_CONCURRENCY handed to the worker; undefined = the worker's default. */
  recoveryConcurrency: number | undefined;
  /** Skip the one-process baseline. */
  skipBaseline: boolean;
  /** Registered sessions for the in-process /metrics and heartbeat measurements. */
  registrySize: number;
  /** Seconds the supervisor's idle CPU is sampled over, with every session connected. */
  idleCpuSeconds: number;
  /** Extra node flags for the supervisor (hosts inherit its execArgv) and the baseline, e.g. V8 heap sizes. */
  nodeFlags: string[];
  /** HOST_SPARES of the restarted worker (kills through spares); undefined = the worker's default. */
  spares: number | undefined;
  /** HOST_NODE_PATH: the node binary hosts run on; undefined = the supervisor's own. */
  hostNodePath: string | undefined;
}

export const DEFAULT_SIZES = [10, 50, 100];

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function nonNegativeInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be an integer ≥ 0, got "${raw}"`);
  return n;
}

function absolutePath(name: string, raw: string): string {
  if (!raw.startsWith('/')) throw new Error(`${name} must be an absolute path, got "${raw}"`);
  return raw;
}

export function parseSizes(raw: string): number[] {
  const sizes = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => positiveInt('BENCH_N', s));
  if (sizes.length === 0) throw new Error(`BENCH_N names no session count: "${raw}"`);
  return sizes;
}

/** Space-separated node flags; each must look like a flag, so a stray value cannot become a script path. */
export function parseNodeFlags(raw: string): string[] {
  const flags = raw.split(/\s+/).filter((f) => f !== '');
  for (const f of flags) if (!/^--[a-z0-9-]+(=[A-Za-z0-9._-]+)?$/.test(f)) throw new Error(`BENCH_NODE_FLAGS: "${f}" is not a --flag or --flag=value`);
  return flags;
}

const FLAGS: Record<string, string> = {
  '--n': 'BENCH_N',
  '--kills': 'BENCH_KILLS',
  '--pair-batch': 'BENCH_PAIR_BATCH',
  '--recovery-concurrency': 'BENCH_RECOVERY_CONCURRENCY',
  '--registry-size': 'BENCH_REGISTRY_SIZE',
  '--idle-cpu-seconds': 'BENCH_IDLE_CPU_SECONDS',
  '--node-flags': 'BENCH_NODE_FLAGS',
  '--spares': 'BENCH_SPARES',
  '--host-node': 'BENCH_HOST_NODE_PATH',
};

/** Flags become their env names, so one parser serves both. `--no-baseline` is a switch. */
function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-baseline') {
      out.BENCH_SKIP_BASELINE = '1';
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const name = FLAGS[flag];
    if (!name) throw new Error(`unknown argument "${arg}" (known: ${[...Object.keys(FLAGS), '--no-baseline'].join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    out[name] = value;
  }
  return out;
}

export function parseBenchOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const e = { ...env, ...flagsToEnv(argv) };
  const int = (name: string, fallback: number): number => (e[name] === undefined || e[name] === '' ? fallback : positiveInt(name, e[name]!));
  return {
    sizes: e.BENCH_N ? parseSizes(e.BENCH_N) : [...DEFAULT_SIZES],
    kills: int('BENCH_KILLS', 10),
    pairBatch: int('BENCH_PAIR_BATCH', 10),
    recoveryConcurrency: e.BENCH_RECOVERY_CONCURRENCY ? positiveInt('BENCH_RECOVERY_CONCURRENCY', e.BENCH_RECOVERY_CONCURRENCY) : undefined,
    skipBaseline: e.BENCH_SKIP_BASELINE === '1' || e.BENCH_SKIP_BASELINE === 'true',
    registrySize: int('BENCH_REGISTRY_SIZE', 1000),
    // One period of Baileys' keep-alive (30 s), so the window holds exactly one of every periodic wake-up.
    idleCpuSeconds: int('BENCH_IDLE_CPU_SECONDS', 30),
    nodeFlags: parseNodeFlags(e.BENCH_NODE_FLAGS ?? ''),
    spares: e.BENCH_SPARES === undefined || e.BENCH_SPARES === '' ? undefined : nonNegativeInt('BENCH_SPARES', e.BENCH_SPARES),
    hostNodePath: e.BENCH_HOST_NODE_PATH ? absolutePath('BENCH_HOST_NODE_PATH', e.BENCH_HOST_NODE_PATH) : undefined,
  };
}
