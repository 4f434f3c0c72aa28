import { open } from 'node:fs/promises';

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

/** Fields of /proc/<pid>/stat after "comm)", which may itself hold spaces and parentheses. */
function statFields(stat: string): string[] | null {
  const close = stat.lastIndexOf(')');
  return close < 0 ? null : stat.slice(close + 1).trim().split(/\s+/);
}

/** Pure: utime + stime (fields 14 and 15) of /proc/<pid>/stat, in clock ticks. */
export function parseCpuTicks(stat: string): number | null {
  // Fields after "comm)" start at field 3; utime is field 14 → index 11.
  const fields = statFields(stat);
  const utime = Number(fields?.[11]);
  const stime = Number(fields?.[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return utime + stime;
}

/** Pure: resident pages (field 24) of /proc/<pid>/stat. */
export function parseRssPages(stat: string): number | null {
  const rss = Number(statFields(stat)?.[21]);
  return Number.isFinite(rss) ? rss : null;
}

/**
 * Pure: whether a host's PSS must be read again. Reading `smaps_rollup` walks the host's page
 * tables (2–5 ms of kernel CPU for a ~100 MB host, measured here; `stat` costs 0.03 ms), so an
 * idle supervisor with 100 hosts spent ~3 % of a core on it (issue 15). PSS is re-read when the
 * host's resident size moved by 1 % (at least 1 MiB) since its last PSS read, or that read is
 * `maxAgeMs` old: a steady host's PSS still follows what it shares with hosts that came or went.
 */
export function pssDue(last: { rssPages: number; at: number } | undefined, rssPages: number, now: number, maxAgeMs: number, pageBytes = 4096): boolean {
  if (!last) return true;
  if (now - last.at >= maxAgeMs) return true;
  const movedBytes = Math.abs(rssPages - last.rssPages) * pageBytes;
  return movedBytes >= Math.max(1 << 20, last.rssPages * pageBytes * 0.01);
}

export interface ProcSample {
  pid: number;
  pssBytes: number;
  /** Cumulative CPU time of the process. */
  cpuSeconds: number;
  /** CPU use since the previous sample of this pid, in percent of one core (null on the first). */
  cpuPercent: number | null;
}

/**
 * A small /proc file in one read: open, read, close. `readFile` asks for its size first (0 for
 * /proc files), then reads 64 KiB chunks until EOF: five thread-pool round trips and 64 KiB of
 * garbage per file, which at 100 hosts turned every sampling pass into a GC.
 */
async function readProc(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    let buf = Buffer.allocUnsafe(4096);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      length += bytesRead;
      if (bytesRead === 0 || length < buf.length) break;
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    return buf.toString('utf8', 0, length);
  } catch {
    return null; // the process is gone, or this is not Linux
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

interface Previous {
  ticks: number;
  at: number;
  pss: { bytes: number; rssPages: number; at: number } | undefined;
}

export interface ProcSamplerOptions {
  now?: () => number;
  /** Longest a PSS figure is reused while the host's resident size holds still (see pssDue). */
  pssMaxAgeMs?: number;
}

export class ProcSampler {
  private readonly previous = new Map<number, Previous>();
  private readonly now: () => number;
  private readonly pssMaxAgeMs: number;
  private pssReadCount = 0;

  constructor(options: ProcSamplerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.pssMaxAgeMs = options.pssMaxAgeMs ?? 60_000;
  }

  /** smaps_rollup reads so far (tests and the bench). */
  get pssReads(): number {
    return this.pssReadCount;
  }

  /** Null when the process is gone or /proc is unavailable. */
  async sample(pid: number): Promise<ProcSample | null> {
    const stat = await readProc(`/proc/${pid}/stat`);
    const ticks = stat === null ? null : parseCpuTicks(stat);
    if (ticks === null) {
      this.previous.delete(pid);
      return null;
    }
    const at = this.now();
    const prev = this.previous.get(pid);
    const rssPages = parseRssPages(stat!) ?? 0;
    let pss = prev?.pss;
    if (pssDue(pss, rssPages, at, this.pssMaxAgeMs)) {
      this.pssReadCount++;
      const rollup = await readProc(`/proc/${pid}/smaps_rollup`);
      const bytes = rollup === null ? null : parsePss(rollup);
      pss = bytes === null ? undefined : { bytes, rssPages, at };
    }
    this.previous.set(pid, { ticks, at, pss });
    const elapsedS = prev ? (at - prev.at) / 1000 : 0;
    const cpuPercent = prev && elapsedS > 0 ? Math.max(0, ((ticks - prev.ticks) / CLOCK_TICKS_PER_SECOND / elapsedS) * 100) : null;
    return { pid, pssBytes: pss?.bytes ?? 0, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, cpuPercent };
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
