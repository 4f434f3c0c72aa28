/**
 * The worker under test: the real compiled supervisor (`dist/supervisor/main.js`) as its own
 * process, with the simulator's trust preload in its execArgv (session hosts inherit it). Waits
 * poll the worker's own `GET /health`, the way a load balancer or an operator would.
 */
import { alive } from '../../supervisor/support/journal.js';
import { getHealth, startSupervisorProcess, type SupervisorProcess } from '../../supervisor/support/processes.js';
import { freePort } from '../../support/free-port.js';

export interface WorkerStartOptions {
  /** No BACKEND_URL: sessions come from the worker's own registry and HTTP API. */
  standalone?: boolean;
  env?: Record<string, string>;
}

export type Health = Record<string, any>;
export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export class E2EWorker {
  private constructor(readonly proc: SupervisorProcess, readonly startedAt: number) {}

  static async start(options: { execArgv: string[]; env: (port: number) => Record<string, string> }): Promise<E2EWorker> {
    const port = await freePort();
    const startedAt = Date.now();
    return new E2EWorker(startSupervisorProcess({ port, execArgv: options.execArgv, env: options.env(port) }), startedAt);
  }

  get url(): string {
    return this.proc.url;
  }

  get pid(): number {
    return this.proc.child.pid!;
  }

  get exited(): Promise<ExitInfo> {
    return this.proc.exited;
  }

  /** The last lines the supervisor (and its hosts, which share its stdout) wrote: for failure messages. */
  tail(chars = 4000): string {
    return this.proc.output.join('').slice(-chars);
  }

  health(): Promise<Health | undefined> {
    return getHealth(this.url);
  }

  /** Polls /health until `test` holds; fails with the last body and the log tail otherwise. */
  async until(test: (h: Health) => boolean, timeoutMs: number, what: string): Promise<Health> {
    const deadline = Date.now() + timeoutMs;
    let last: Health | undefined;
    for (;;) {
      last = await this.health();
      if (last && test(last)) return last;
      if (this.proc.child.exitCode !== null || this.proc.child.signalCode !== null) {
        throw new Error(`worker exited (${this.proc.child.exitCode ?? this.proc.child.signalCode}) while waiting for ${what}\n${this.tail()}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last /health ${JSON.stringify(last)}\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Recovery of this start finished (every assigned session reached a final state or timed out). */
  recoveryDone(timeoutMs: number): Promise<Health> {
    return this.until((h) => h.recovery?.phase === 'done', timeoutMs, 'recovery to finish');
  }

  connected(n: number, timeoutMs: number): Promise<Health> {
    return this.until((h) => (h.sessions?.byStatus?.connected ?? 0) === n, timeoutMs, `${n} connected sessions`);
  }

  /** Graceful stop as systemd/docker/k8s do it; resolves with the exit. */
  async stop(timeoutMs = 60_000): Promise<ExitInfo> {
    this.proc.child.kill('SIGTERM');
    return this.exitWithin(timeoutMs);
  }

  async sigkill(): Promise<ExitInfo> {
    this.proc.child.kill('SIGKILL');
    return this.exitWithin(10_000);
  }

  /** Cleanup only: no waiting. */
  forceKill(): void {
    if (this.proc.child.exitCode === null && this.proc.child.signalCode === null && alive(this.pid)) this.proc.child.kill('SIGKILL');
  }

  private async exitWithin(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`worker did not exit within ${timeoutMs} ms\n${this.tail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.proc.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
