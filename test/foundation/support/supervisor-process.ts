/**
 * Test helper: runs the compiled supervisor (`dist/supervisor/main.js`, built by the vitest
 * globalSetup) as a real child process with a clean environment and its own working folder (so
 * no developer `.env` leaks in), and lets tests await log lines and the exit instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const SUPERVISOR_MAIN = join(ROOT, 'dist', 'supervisor', 'main.js');

export interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class SupervisorProcess {
  readonly child: ChildProcess;
  private readonly detached: boolean;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  /** Resolves when every holder of the child's stdout/stderr is gone (e.g. npm *and* its child). */
  readonly closed: Promise<void>;
  private readonly lines: LogLine[] = [];
  private readonly waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];

  constructor(options: { env: Record<string, string>; cwd: string; command?: readonly string[]; detached?: boolean }) {
    const [cmd, ...args] = options.command ?? [process.execPath, SUPERVISOR_MAIN];
    this.detached = options.detached ?? false;
    this.child = spawn(cmd!, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Detached = own process group, so `signalGroup` reaches npm's child like a terminal's Ctrl-C.
      detached: this.detached,
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.closed = new Promise((resolve) => this.child.once('close', () => resolve()));
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) this.onLine(raw);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  private onLine(raw: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      return; // npm banners and other non-JSON lines
    }
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (w.match(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** Resolves with the first log line whose `msg` equals `msg`; rejects if the process exits first. */
  waitForLog(msg: string, timeoutMs = 20_000): Promise<LogLine> {
    const seen = this.lines.find((l) => l.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log "${msg}" within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ match: (l) => l.msg === msg, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      void this.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`exited (${e.code ?? e.signal}) before log "${msg}"\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      });
    });
  }

  /** Waits for the exit, failing the test if it takes longer than `timeoutMs`. */
  async exit(timeoutMs = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal to the child's own process group (only for `detached` children). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!this.detached || this.child.pid === undefined) throw new Error('signalGroup needs a detached child');
    process.kill(-this.child.pid, signal);
  }

  /** Last resort in `afterEach`: kill this child (and, if detached, its group) if it still runs. */
  kill(): void {
    if (this.child.pid === undefined) return;
    try {
      if (this.detached) process.kill(-this.child.pid, 'SIGKILL');
      else if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
