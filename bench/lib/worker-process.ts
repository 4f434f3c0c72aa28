/**
 * The worker as an operator runs it: the compiled supervisor (`dist/supervisor/main.js`) in its
 * own process, here with the simulator's trust preload in its execArgv (session hosts inherit
 * it). Its JSON log lines are read as they come, so per-host boot times (`session host ready`,
 * `bootMs`) are the ones the hosts themselves measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../test/support/free-port.js';
import { DIST } from './build.js';
import { trackChild } from './children.js';

export interface BootRecord {
  sessionId: string;
  bootMs: number;
  /** The host was a pre-booted spare (HOST_SPARES): `bootMs` runs from its init. */
  spare: boolean;
  /** Wall clock (ms) when the supervisor logged it. */
  at: number;
}

/** A host's own `session host boot cost` log line (session-host/boot-cost.ts). */
export interface BootCostRecord {
  sessionId: string;
  node?: string;
  entry?: string;
  execArgv?: string[];
  cpuMs: Record<string, number>;
  atMs: Record<string, number>;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class WorkerProcess {
  readonly boots: BootRecord[] = [];
  readonly bootCosts: BootCostRecord[] = [];
  readonly exited: Promise<ExitInfo>;
  private readonly tailLines: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    /** Wall clock (ms) just before the process was spawned. */
    readonly spawnedAt: number,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
  }

  /**
   * `dist`: another build of the worker (an A/B probe); `cwd`: where hosts write `--cpu-prof` files;
   * `extraImports`: more `--import` preloads (bench/lib/profile-preload.mjs).
   */
  static async start(options: { preloadPath: string; env: Record<string, string>; nodeFlags?: readonly string[]; dist?: string; cwd?: string; extraImports?: readonly string[] }): Promise<WorkerProcess> {
    const port = await freePort();
    const spawnedAt = Date.now();
    const imports = (options.extraImports ?? []).flatMap((path) => ['--import', path]);
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', options.preloadPath, ...imports, join(options.dist ?? DIST, 'supervisor', 'main.js')], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, LOG_PRETTY: 'false', HOST: '127.0.0.1', PORT: String(port), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    return new WorkerProcess(child, `http://127.0.0.1:${port}`, spawnedAt);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last log lines of the worker and its hosts (they share its stdout), for failure messages. */
  tail(lines = 40): string {
    return this.tailLines.slice(-lines).join('\n');
  }

  /** SIGTERM (graceful: hosts flush auth and close without logout); SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 60_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  forceKill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  private onLine(line: string): void {
    this.tailLines.push(line);
    if (this.tailLines.length > 400) this.tailLines.splice(0, 200);
    if (!line.includes('session host ready') && !line.includes('session host boot cost')) return;
    try {
      const entry = JSON.parse(line) as { msg?: string; sessionId?: string; bootMs?: number; spare?: boolean; bootCost?: { cpuMs: Record<string, number>; atMs: Record<string, number> }; node?: string; entry?: string; execArgv?: string[] };
      if (entry.msg === 'session host ready' && typeof entry.sessionId === 'string' && typeof entry.bootMs === 'number') {
        this.boots.push({ sessionId: entry.sessionId, bootMs: entry.bootMs, spare: entry.spare === true, at: Date.now() });
      }
      if (entry.msg === 'session host boot cost' && typeof entry.sessionId === 'string' && entry.bootCost) {
        this.bootCosts.push({ sessionId: entry.sessionId, cpuMs: entry.bootCost.cpuMs, atMs: entry.bootCost.atMs, node: entry.node, entry: entry.entry, execArgv: entry.execArgv });
      }
    } catch {
      /* not a JSON log line */
    }
  }
}
