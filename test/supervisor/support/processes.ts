import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from './build.js';

/**
 * Pid of the live session host of `sessionId`, found the way an operator would (`pgrep -f
 * wa-host:<id>`): by its process title, or by its argv when the title could not be set.
 */
export function hostPidsOf(sessionId: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    let state: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      state = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (/\) Z /.test(state)) continue; // a zombie is dead
    const args = cmdline.split('\0');
    const titled = args[0]?.trim() === `wa-host:${sessionId}`;
    const byArgv = (cmdline.includes('host/session-host.mjs') || cmdline.includes('session-host/main.js')) && args.includes('--session') && args[args.indexOf('--session') + 1] === sessionId;
    if (titled || byArgv) out.push(Number(name));
  }
  return out;
}

/** Live processes titled `wa-host-spare` whose parent is `parent`. */
export function sparePids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || Number(ppid) !== parent) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0]!.trim() === 'wa-host-spare') out.push(Number(name));
    } catch {
      continue;
    }
  }
  return out;
}

export interface SupervisorProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url: string;
}

/** Runs the real compiled supervisor (`dist/supervisor/main.js`, or `main`) as its own process. */
export function startSupervisorProcess(options: { port: number; env: Record<string, string>; execArgv?: string[]; main?: string }): SupervisorProcess {
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.main ?? join(DIST, 'supervisor', 'main.js')], {
    env: { ...process.env, LOG_PRETTY: 'false', HOST: '127.0.0.1', PORT: String(options.port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (d: Buffer): void => {
    output.push(d.toString());
    if (output.length > 2000) output.splice(0, 1000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output, exited, url: `http://127.0.0.1:${options.port}` };
}

export async function getHealth(url: string): Promise<Record<string, any> | undefined> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { data?: Record<string, any> };
    return body.data;
  } catch {
    return undefined;
  }
}
