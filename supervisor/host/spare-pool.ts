import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../src/logger.js';
import { isHostMessage } from '../../src/ipc/protocol.js';
import { nextRefill, type SparePoolCounts } from './spare-policy.js';

export interface SparePoolOptions {
  /** HOST_SPARES; 0 makes a pool that never forks. */
  size: number;
  /** Forks one spare (`--spare`) with the hosts' settings (fork-host.ts). */
  fork: () => ChildProcess;
  logger: Logger;
  /** Quiet time after the last session start before a refill (spare-policy.ts). */
  refillDelayMs?: number;
  maxEarlyDeaths?: number;
  /** How long a spare gets to exit after SIGTERM on close before SIGKILL. */
  stopTimeoutMs?: number;
  now?: () => number;
}

export interface SparePoolStatus {
  wanted: number;
  ready: number;
  booting: number;
  /** Spares handed to sessions since start. */
  taken: number;
  /** Refilling stopped: spares kept dying before they were ready. */
  latched: boolean;
}

interface Spare {
  child: ChildProcess;
  ready: boolean;
  detach: () => void;
}

/**
 * Pre-booted session hosts (issue 15): processes forked with `--spare` that load their modules and
 * wait for an `init`. A session start takes one (`take()`), so a `kill -9` restart, a create or a
 * recovery skips Node's bootstrap and the bundle's evaluation. A taken spare belongs to that
 * session for its whole life (the HostHandle adopts the child); the pool forgets it and refills
 * later, off the hot path. A spare that dies is only replaced: it never held a session, so nothing
 * restarts and nothing is counted. Spares exit on their own when the supervisor's IPC channel
 * closes (session-host/main.ts), so a SIGKILLed supervisor leaves none behind.
 */
export class SparePool {
  private readonly spares = new Set<Spare>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly refillDelayMs: number;
  private readonly maxEarlyDeaths: number;
  private lastDemandMs: number;
  private earlyDeaths = 0;
  private taken = 0;
  private closed = false;
  private latchLogged = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SparePoolOptions) {
    this.log = options.logger.child({ component: 'spares' });
    this.now = options.now ?? Date.now;
    this.refillDelayMs = options.refillDelayMs ?? 1000;
    this.maxEarlyDeaths = options.maxEarlyDeaths ?? 3;
    this.lastDemandMs = this.now();
  }

  /** Starts filling (after the quiet delay, so a recovery that starts at once goes first). */
  start(): void {
    // The delay counts from here, not from construction: a slow start-up (HTTP server, a loaded
    // machine) would otherwise fork spares just before the recovery, which then takes booting ones.
    this.lastDemandMs = this.now();
    this.plan();
  }

  /**
   * A live spare for a session start (a ready one first), or undefined when none is left. Every
   * call counts as demand and pushes the next refill back.
   */
  take(): ChildProcess | undefined {
    if (this.closed) return undefined;
    this.lastDemandMs = this.now();
    const live = [...this.spares].filter((s) => isAlive(s.child));
    const spare = live.find((s) => s.ready) ?? live[0];
    if (spare) {
      spare.detach();
      this.spares.delete(spare);
      this.taken++;
    }
    this.plan();
    return spare?.child;
  }

  status(): SparePoolStatus {
    const ready = [...this.spares].filter((s) => s.ready).length;
    return { wanted: this.options.size, ready, booting: this.spares.size - ready, taken: this.taken, latched: this.counts().earlyDeaths >= this.maxEarlyDeaths };
  }

  /** Stops refilling and ends every spare (SIGTERM, then SIGKILL); resolves when all have exited. */
  close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    const timeoutMs = this.options.stopTimeoutMs ?? 3000;
    return Promise.all(
      [...this.spares].map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!isAlive(s.child)) return resolve();
            const force = setTimeout(() => s.child.kill('SIGKILL'), timeoutMs);
            s.child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            s.child.kill('SIGTERM');
          }),
      ),
    ).then(() => undefined);
  }

  /** SIGKILL every spare now (second shutdown signal). Synchronous. */
  kill(): void {
    this.closed = true;
    this.clearTimer();
    for (const s of this.spares) if (isAlive(s.child)) s.child.kill('SIGKILL');
  }

  // ------------------------------------------------------------------ internals

  private counts(): SparePoolCounts {
    const booting = [...this.spares].filter((s) => !s.ready).length;
    return { wanted: this.options.size, live: this.spares.size, booting, earlyDeaths: this.earlyDeaths, closed: this.closed };
  }

  private plan(): void {
    this.clearTimer();
    const decision = nextRefill(this.counts(), { nowMs: this.now(), lastDemandMs: this.lastDemandMs, refillDelayMs: this.refillDelayMs, maxEarlyDeaths: this.maxEarlyDeaths });
    switch (decision.type) {
      case 'fork':
        return this.forkOne();
      case 'wait':
        this.timer = setTimeout(() => this.plan(), decision.ms);
        this.timer.unref();
        return;
      case 'latched':
        if (!this.latchLogged) this.log.error({ earlyDeaths: this.earlyDeaths }, 'spare hosts keep dying before they are ready: no more spares; sessions fork their own hosts');
        this.latchLogged = true;
        return;
      case 'idle':
        return;
    }
  }

  private forkOne(): void {
    let child: ChildProcess;
    try {
      child = this.options.fork();
    } catch (err) {
      this.log.warn({ err }, 'could not fork a spare host');
      this.earlyDeaths++;
      return this.plan();
    }
    const spare: Spare = { child, ready: false, detach: () => undefined };
    const onMessage = (m: unknown): void => {
      if (!isHostMessage(m) || m.type !== 'spare-ready' || spare.ready) return;
      spare.ready = true;
      this.earlyDeaths = 0;
      this.log.info({ hostPid: m.pid, bootCpuMs: m.bootCpuMs }, 'spare host ready');
      this.plan();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      spare.detach();
      this.spares.delete(spare);
      if (!spare.ready) this.earlyDeaths++;
      if (!this.closed) this.log.warn({ hostPid: child.pid, code, signal, wasReady: spare.ready }, 'spare host exited; it held no session, it is only replaced');
      this.plan();
    };
    const onError = (err: Error): void => {
      this.log.warn({ err }, 'spare host process error');
      // A failed spawn may emit 'error' and never 'exit'.
      if (child.pid === undefined) onExit(null, null);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
    spare.detach = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    this.spares.add(spare);
    this.log.debug({ hostPid: child.pid }, 'spare host forked');
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.connected;
}
