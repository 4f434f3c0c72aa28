import { existsSync, readFileSync } from 'node:fs';

export interface JournalEntry {
  t: number;
  pid: number;
  sessionId: string;
  event: string;
  [k: string]: unknown;
}

/** Reads what the fixture hosts wrote (JSON lines). */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEntry);
}

export function events(file: string, sessionId: string, event: string): JournalEntry[] {
  return readJournal(file).filter((e) => e.sessionId === sessionId && e.event === event);
}

/** Largest number of sessions between `from` and `to` events at any instant. */
export function maxOverlap(entries: JournalEntry[], from: string, to: readonly string[]): number {
  const marks: [number, number][] = [];
  const open = new Map<string, number>();
  for (const e of [...entries].sort((a, b) => a.t - b.t)) {
    const key = `${e.sessionId}:${e.pid}`;
    if (e.event === from) open.set(key, e.t);
    else if (to.includes(e.event) && open.has(key)) {
      marks.push([open.get(key)!, +1], [e.t, -1]);
      open.delete(key);
    }
  }
  for (const start of open.values()) marks.push([start, +1]);
  // Ends sort before starts at the same millisecond: touching intervals do not overlap.
  marks.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of marks) {
    cur += d;
    max = Math.max(max, cur);
  }
  return max;
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
