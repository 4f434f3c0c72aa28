import { readdirSync, readFileSync } from 'node:fs';

/**
 * One pass over /proc: the live (non-zombie) session host pids of each of `sessionIds`, found by
 * their `wa-host:<id>` title. Cheaper than one scan per session when sampling many sessions often.
 */
export function hostPidsBySession(sessionIds: readonly string[]): Map<string, number[]> {
  const wanted = new Map(sessionIds.map((id) => [`wa-host:${id}`, id]));
  const out = new Map<string, number[]>(sessionIds.map((id) => [id, []]));
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const title = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0]?.trim() ?? '';
      const id = wanted.get(title);
      if (id === undefined) continue;
      if (/\) Z /.test(readFileSync(`/proc/${name}/stat`, 'utf8'))) continue;
      out.get(id)!.push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
