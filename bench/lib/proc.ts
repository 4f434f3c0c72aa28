/**
 * Memory and CPU of one process from /proc (Linux), with the supervisor's own parsers
 * (supervisor/proc-stats.ts) so the benchmark measures exactly what `/metrics` reports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND, parseCpuTicks, parsePss } from '../../supervisor/proc-stats.js';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process is gone
  }
}

/** Pure: `Rss:` of smaps_rollup in bytes. */
export function parseRss(smapsRollup: string): number | null {
  const m = /^Rss:\s+(\d+)\s+kB$/m.exec(smapsRollup);
  return m ? Number(m[1]) * 1024 : null;
}

export interface MemorySample {
  pssBytes: number;
  rssBytes: number;
}

export function memoryOf(pid: number): MemorySample | null {
  const rollup = read(`/proc/${pid}/smaps_rollup`);
  if (rollup === null) return null;
  const pss = parsePss(rollup);
  const rss = parseRss(rollup);
  return pss === null || rss === null ? null : { pssBytes: pss, rssBytes: rss };
}

/** Cumulative user + system CPU seconds of the process, null when it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  const ticks = stat === null ? null : parseCpuTicks(stat);
  return ticks === null ? null : ticks / CLOCK_TICKS_PER_SECOND;
}

export const MB = 1024 * 1024;

/**
 * CPU seconds of every thread of the process (main, libuv pool, V8 workers), from each task's
 * `schedstat` (nanoseconds): /proc/<pid>/stat counts 10 ms ticks, coarser than an idle host's
 * few milliseconds per window. Null when the process is gone.
 */
export function threadCpuSecondsOf(pid: number): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tids) {
    const stat = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (stat !== null) ns += Number(stat.split(' ')[0]);
  }
  return ns / 1e9;
}

/** Pure: one variable of a /proc/<pid>/environ (NUL-separated NAME=value), undefined when unset. */
export function envVarOf(environ: string, name: string): string | undefined {
  const entry = environ.split('\0').find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? undefined : entry.slice(name.length + 1);
}

/** GLIBC_TUNABLES a live process runs with (HOST_GLIBC_TUNABLES for a session host); null when unset or gone. */
export function glibcTunablesOf(pid: number): string | null {
  const environ = read(`/proc/${pid}/environ`);
  return environ === null ? null : (envVarOf(environ, 'GLIBC_TUNABLES') ?? null);
}

/** CPU milliseconds of every thread of a live process (threadCpuSecondsOf); throws when it is gone. */
export function threadCpuMsOf(pid: number): number {
  const s = threadCpuSecondsOf(pid);
  if (s === null) throw new Error(`process ${pid} is gone`);
  return s * 1000;
}

/** PSS of a live process in MB (memoryOf); throws when it is gone. */
export function pssMbOf(pid: number): number {
  const m = memoryOf(pid);
  if (m === null) throw new Error(`process ${pid} is gone`);
  return m.pssBytes / MB;
}
