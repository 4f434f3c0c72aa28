/**
 * Runs the one-process baseline (bench/baseline/plain-process.ts) on copies of the auth folders
 * the worker just used, while the worker is stopped (two live copies of one device would replace
 * each other with close code 440). Measures spawn → every socket open, and the process's PSS.
 */
import { fork } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { WaSim } from '../../test/wa-sim/index.js';
import { BASELINE_MAIN } from './build.js';
import { trackChild } from './children.js';
import { cpuSecondsOf, memoryOf, MB } from './proc.js';
import { pollUntil, sleep } from './wait.js';

export interface BaselineResult {
  sessions: number;
  /** Process spawn → the last socket `open`, ms. */
  recoveryMs: number;
  /** Time the process took to import Baileys, ms. */
  importMs: number | null;
  pssMB: number;
  rssMB: number;
  pssPerSessionMB: number;
  /** CPU seconds from spawn to settled. */
  cpuSeconds: number | null;
  /** Close codes seen before `open` (515 is the normal restart after pairing; anything else is a problem). */
  closeCodes: (number | null)[];
}

type BaselineMessage = { type: 'imported'; ms: number } | { type: 'open'; sessionId: string; at: number } | { type: 'closed'; sessionId: string; code: number | null };

/** Pure: which files of an auth folder the baseline gets (Baileys' own files, not our generation label or temp files). */
export function isBaileysAuthFile(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.') && name !== 'generation.json';
}

export async function runBaseline(sim: WaSim, dataDir: string, sessionIds: readonly string[], options: { timeoutMs: number; settleMs: number; nodeFlags?: readonly string[]; glibcTunables?: string | null; execPath?: string | undefined }): Promise<BaselineResult> {
  const copies = mkdtempSync(join(tmpdir(), 'wa-bench-baseline-'));
  const folders = sessionIds.map((id) => {
    const to = join(copies, id);
    cpSync(join(dataDir, 'sessions', id), to, { recursive: true, filter: (src) => src === join(dataDir, 'sessions', id) || isBaileysAuthFile(basename(src)) });
    return to;
  });
  const opened = new Map<string, number>();
  const closeCodes: (number | null)[] = [];
  let importMs: number | null = null;
  let output = '';
  const spawnedAt = Date.now();
  const child = fork(BASELINE_MAIN, folders, {
    // The hosts' node (HOST_NODE_PATH), so the baseline runs on the same Node line.
    ...(options.execPath === undefined ? {} : { execPath: options.execPath }),
    execArgv: [...(options.nodeFlags ?? []), '--import', sim.preloadPath],
    // The hosts' GLIBC_TUNABLES (HOST_GLIBC_TUNABLES), so the baseline's malloc behaves as theirs.
    env: { ...process.env, ...sim.childEnv(), ...(options.glibcTunables ? { GLIBC_TUNABLES: options.glibcTunables } : {}) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  trackChild(child);
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('message', (m: BaselineMessage) => {
    if (m.type === 'imported') importMs = m.ms;
    else if (m.type === 'open' && !opened.has(m.sessionId)) opened.set(m.sessionId, m.at);
    else if (m.type === 'closed') closeCodes.push(m.code);
  });
  try {
    await pollUntil(() => (opened.size === sessionIds.length ? true : child.exitCode !== null ? Promise.reject(new Error(`baseline exited ${child.exitCode}: ${output}`)) : undefined), {
      timeoutMs: options.timeoutMs,
      intervalMs: 50,
      what: `${sessionIds.length} baseline sockets open`,
      last: () => `${opened.size} open, close codes ${JSON.stringify(closeCodes)}; ${output.slice(-500)}`,
    });
    const recoveryMs = Math.max(...opened.values()) - spawnedAt;
    await sleep(options.settleMs);
    const mem = memoryOf(child.pid!);
    if (!mem) throw new Error('baseline process vanished before its memory was sampled');
    return {
      sessions: sessionIds.length,
      recoveryMs,
      importMs,
      pssMB: mem.pssBytes / MB,
      rssMB: mem.rssBytes / MB,
      pssPerSessionMB: mem.pssBytes / MB / sessionIds.length,
      cpuSeconds: cpuSecondsOf(child.pid!),
      closeCodes,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(copies, { recursive: true, force: true });
  }
}
