import type { ChildProcess } from 'node:child_process';
import { WorkerError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { classifyExit, type ExitKind } from '../../src/exit-codes.js';
import type { FailureReason } from '../../src/status.js';
import {
  isHostMessage,
  type HostInit,
  type HostToSupervisor,
  type PingStats,
  type RequestMessage,
  type RequestType,
  type ResponseMap,
} from '../../src/ipc/protocol.js';
import { forkSessionHost } from './fork-host.js';
import { channelClosed, fromIpcError, hostExited, requestTimeout } from './host-errors.js';
import type { PingClock } from './ping-clock.js';
import { Watchdog } from './watchdog.js';

/** Messages a host sends on its own (everything except request responses). */
export type HostEvent = Exclude<HostToSupervisor, { type: 'response' }>;

export interface HostExit {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  kind: ExitKind;
  /** Set when the supervisor killed the host on purpose (watchdog, boot deadline). */
  killedFor: FailureReason | undefined;
  /** Whether the host had sent `ready`. */
  wasReady: boolean;
}

export interface HostHandleOptions {
  sessionId: string;
  /** Compiled host entry (a fixture in tests). */
  hostModulePath: string;
  stopTimeoutMs: number;
  pingIntervalMs: number;
  /** The supervisor's one ping timer for every host (ping-clock.ts); default: one per host. */
  pingClock?: PingClock | undefined;
  pingTimeoutMs: number;
  /** A host that has not sent `ready` (or `init-failed`) by then is killed. */
  bootTimeoutMs: number;
  /** Timeout of `send` and other API requests. */
  requestTimeoutMs?: number;
  /** Node binary of the hosts (HOST_NODE_PATH); default: the supervisor's own. */
  execPath?: string | undefined;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  logger?: Logger | undefined;
  onEvent: (event: HostEvent) => void;
  /** Called exactly once, on the child's `'exit'`. */
  onExit: (exit: HostExit) => void;
  /** A send to the host was queued behind a full channel (`send` returned false); metrics. */
  onBackpressure?: (() => void) | undefined;
}

interface Pending {
  type: RequestType;
  resolve: (value: never) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Wraps one session host child process. Every signal and deadline acts on the captured `child`
 * object, never on a pid looked up later. The child counts as dead only on `'exit'`; `'error'`
 * and `'disconnect'` are logged and handled without counting a second death.
 *
 * `stop()` and `kill()` are idempotent: late callers get the same promise, resolved with the one
 * exit (undici's close/destroy shape).
 */
export class HostHandle {
  readonly sessionId: string;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready = false;
  private exitInfo: HostExit | undefined;
  private killedFor: FailureReason | undefined;
  private stopping: Promise<HostExit> | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly watchdog: Watchdog;
  private readonly exitWaiters: ((exit: HostExit) => void)[] = [];

  private constructor(private readonly options: HostHandleOptions, spare: ChildProcess | undefined) {
    this.sessionId = options.sessionId;
    // A spare was forked with the same settings (spare-pool.ts); from here on it is this session's.
    this.child = spare ?? forkSessionHost(options, options.sessionId);
    this.child.on('message', (m) => this.onMessage(m));
    this.child.on('exit', (code, signal) => this.onChildExit(code, signal));
    this.child.on('error', (err) => this.onChildError(err));
    this.child.on('disconnect', () => this.onDisconnect());
    this.watchdog = new Watchdog({
      intervalMs: options.pingIntervalMs,
      clock: options.pingClock,
      ping: () => this.request('ping', {}, options.pingTimeoutMs),
      onUnresponsive: (err) => {
        if (this.exitInfo || this.stopping) return;
        options.logger?.warn({ err }, 'session host did not answer the watchdog ping; killing it');
        void this.kill('unresponsive'); // kill() never rejects; the exit reaches everyone through onExit
      },
    });
    this.after(options.bootTimeoutMs, () => {
      if (!this.ready) void this.kill('init_failed'); // kill() never rejects; the exit reaches everyone through onExit
    });
  }

  /**
   * Forks the host (or adopts `spare`, a pre-booted host that has no session yet) and sends `init`;
   * `ready` and `init-failed` arrive through `onEvent`.
   */
  static start(options: HostHandleOptions, init: HostInit, spare?: ChildProcess): HostHandle {
    const handle = new HostHandle(options, spare);
    handle.post(init);
    return handle;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  get isReady(): boolean {
    return this.ready && !this.exited;
  }

  /** What the host said on its last answered ping (uptime, RSS, event-loop lag). */
  get pingStats(): PingStats | undefined {
    return this.watchdog.lastStats;
  }

  /** Resolves with the exit (at once when it already happened). */
  whenExited(): Promise<HostExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  request<T extends RequestType>(type: T, fields: Omit<Extract<RequestMessage, { type: T }>, 'id' | 'type'>, timeoutMs = this.options.requestTimeoutMs ?? 30_000): Promise<ResponseMap[T]> {
    if (this.exitInfo) return Promise.reject(hostExited(this.sessionId, this.pid));
    const id = this.nextId++;
    return new Promise<ResponseMap[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(requestTimeout(this.sessionId, type, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { type, resolve: resolve as (v: never) => void, reject, timer });
      this.post({ ...fields, type, id } as RequestMessage, (err) => this.settle(id, err));
    });
  }

  /**
   * Graceful stop: IPC `stop` (the host flushes its snapshot and closes without logout) →
   * SIGTERM after `stopTimeoutMs` → SIGKILL after a second `stopTimeoutMs`.
   */
  stop(reason = 'stop'): Promise<HostExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    if (this.stopping) return this.stopping;
    this.stopping = this.whenExited();
    this.stopWatchdog();
    const t = this.options.stopTimeoutMs;
    if (this.child.connected) {
      this.request('stop', { reason }, t).catch(() => undefined); // the exit is what counts
      this.after(t, () => this.signal('SIGTERM'));
      this.after(2 * t, () => this.signal('SIGKILL'));
    } else {
      this.signal('SIGTERM');
      this.after(t, () => this.signal('SIGKILL'));
    }
    return this.stopping;
  }

  /**
   * Asks the host to log out. It accepts at once and exits within the deadline it names, logged
   * out (10) or with the logout left pending (17); past that deadline it is stopped. A host that
   * does not accept is stopped at once (the logout stays pending on disk).
   */
  async logout(): Promise<HostExit> {
    const t = this.options.stopTimeoutMs;
    let deadlineMs: number;
    try {
      ({ deadlineMs } = await this.request('logout', {}, t));
    } catch (err) {
      this.options.logger?.warn({ err }, 'logout request failed; stopping the host');
      return this.stop('logout');
    }
    this.after(deadlineMs + t, () => void this.stop('logout'));
    return this.whenExited();
  }

  /**
   * Answers a host's `message-in` with a `deliveryId`: ok once the outbox committed the messages,
   * else the error (the host then withholds WhatsApp's receipt). A host already gone hears nothing:
   * it sent no receipt, so WhatsApp redelivers to its successor.
   */
  ackDelivery(deliveryId: number, error?: { code: string; message: string }): void {
    if (this.exitInfo) return;
    this.post(error ? { type: 'message-in-ack', deliveryId, ok: false, error } : { type: 'message-in-ack', deliveryId, ok: true });
  }

  /** SIGKILL now. Idempotent. */
  kill(reason?: FailureReason): Promise<HostExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    if (reason && !this.killedFor) this.killedFor = reason;
    this.stopWatchdog();
    this.signal('SIGKILL');
    return this.whenExited();
  }

  // ------------------------------------------------------------------ internals

  private onMessage(raw: unknown): void {
    if (!isHostMessage(raw)) {
      this.options.logger?.warn({ type: typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : typeof raw }, 'ignoring an unknown message from the host');
      return;
    }
    if (raw.type === 'response') {
      const p = this.pending.get(raw.id);
      if (!p) return; // answered after its timeout
      this.pending.delete(raw.id);
      clearTimeout(p.timer);
      if (raw.ok) p.resolve(raw.result as never);
      else p.reject(fromIpcError(raw.error));
      return;
    }
    if (raw.type === 'ready' && !this.ready) {
      this.ready = true;
      this.watchdog.start();
    }
    this.options.onEvent(raw);
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitInfo) return;
    const exit: HostExit = { pid: this.child.pid, code, signal, kind: classifyExit(code, signal), killedFor: this.killedFor, wasReady: this.ready };
    this.exitInfo = exit;
    this.stopWatchdog();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // The one place pending requests die.
    const err = hostExited(this.sessionId, this.child.pid);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    const waiters = this.exitWaiters.splice(0);
    for (const w of waiters) w(exit);
    this.options.onExit(exit);
  }

  private onChildError(err: Error): void {
    this.options.logger?.warn({ err }, 'session host process error');
    // fork() failing to spawn may emit 'error' and never 'exit': count it once, as a crash.
    if (this.child.pid === undefined) this.onChildExit(null, null);
  }

  private onDisconnect(): void {
    if (this.exitInfo) return;
    this.stopWatchdog();
    // A host without a channel cannot be supervised; it should exit on its own, or we make it.
    this.after(this.options.stopTimeoutMs, () => this.signal('SIGKILL'));
  }

  private post(message: unknown, callback?: (err: Error | null) => void): void {
    if (!this.child.connected) {
      callback?.(channelClosed(this.sessionId));
      return;
    }
    try {
      const flushed = this.child.send(message as never, (err) => callback?.(err ?? null));
      if (!flushed) this.options.onBackpressure?.();
    } catch (err) {
      callback?.(channelClosed(this.sessionId, err));
    }
  }

  private settle(id: number, err: Error | null): void {
    if (!err) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err instanceof WorkerError ? err : channelClosed(this.sessionId, err));
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.exitInfo) return;
    try {
      this.child.kill(sig);
    } catch (err) {
      this.options.logger?.warn({ err, signal: sig }, 'could not signal the session host');
    }
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private stopWatchdog(): void {
    this.watchdog.stop();
  }
}
