import { readFileSync } from 'node:fs';

/**
 * Start time of a process (clock ticks since boot, /proc/<pid>/stat field 22). Together with the
 * pid it names one process for good: a recycled pid has a different start time. Null where /proc
 * is missing (non-Linux) or the process is gone.
 */
export function processStartTime(pid: number): string | null {
  try {
    return parseStatStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Pure: field 22 of a /proc/<pid>/stat line. `comm` (field 2) may hold spaces and parentheses. */
export function parseStatStartTime(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // After ")" come fields 3, 4, ...; field 22 is the 20th of them.
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const value = fields[19];
  return value !== undefined && /^\d+$/.test(value) ? value : null;
}

/** Whether a pid names a live process we could signal (EPERM still means alive). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
