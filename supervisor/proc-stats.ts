import { readFile } from 'node:fs/promises';

/**
 * Per-host memory and CPU from /proc (Linux). PSS, not RSS: hosts share Node's code pages, and
 * PSS divides shared pages among their users, so the sum over hosts is what they really cost.
 * Parsers are pure; `ProcSampler` turns cumulative CPU ticks into a percentage between samples.
 */

/** USER_HZ: 100 on every mainstream Linux build (it is fixed by the kernel ABI for /proc). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Pure: `Pss:` of /proc/<pid>/smaps_rollup, in bytes. */
export function parsePss(smapsRollup: string): number | null {
  const m = /^Pss:\s+(\d+)\s+kB$/m.exec(smapsRollup);
  return m ? Number(m[1]) * 1024 : null;
}

/** Pure: utime + stime (fields 14 and 15) of /proc/<pid>/stat, in clock ticks. */
export function parseCpuTicks(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // Fields after "comm)" start at field 3; utime is field 14 → index 11.
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return utime + stime;
}

export interface ProcSample {
  pid: number;
  pssBytes: number;
  /** Cumulative CPU time of the process. */
  cpuSeconds: number;
  /** CPU use since the previous sample of this pid, in percent of one core (null on the first). */
  cpuPercent: number | null;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null; // the process is gone, or this is not Linux
  }
}

export class ProcSampler {
  private readonly previous = new Map<number, { ticks: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Null when the process is gone or /proc is unavailable. */
  async sample(pid: number): Promise<ProcSample | null> {
    const [rollup, stat] = await Promise.all([readOrNull(`/proc/${pid}/smaps_rollup`), readOrNull(`/proc/${pid}/stat`)]);
    const ticks = stat === null ? null : parseCpuTicks(stat);
    if (ticks === null) {
      this.previous.delete(pid);
      return null;
    }
    const at = this.now();
    const prev = this.previous.get(pid);
    this.previous.set(pid, { ticks, at });
    const elapsedS = prev ? (at - prev.at) / 1000 : 0;
    const cpuPercent = prev && elapsedS > 0 ? Math.max(0, ((ticks - prev.ticks) / CLOCK_TICKS_PER_SECOND / elapsedS) * 100) : null;
    return { pid, pssBytes: (rollup === null ? null : parsePss(rollup)) ?? 0, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, cpuPercent };
  }

  /** Samples many pids; forgets pids no longer asked about (they exited). */
  async sampleAll(pids: ReadonlyMap<string, number>): Promise<Map<string, ProcSample>> {
    const wanted = new Set(pids.values());
    for (const pid of this.previous.keys()) if (!wanted.has(pid)) this.previous.delete(pid);
    const out = new Map<string, ProcSample>();
    await Promise.all(
      [...pids].map(async ([sessionId, pid]) => {
        const s = await this.sample(pid);
        if (s) out.set(sessionId, s);
      }),
    );
    return out;
  }
}
