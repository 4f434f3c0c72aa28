/**
 * Test helper: forks the bundled session host (`dist/host/session-host.mjs`, the production entry) the way the supervisor
 * does, sends `init`, records every IPC message, and lets a test await statuses and responses
 * instead of sleeping. Real process, real IPC, real signals.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC_PROTOCOL_VERSION, type HostInit, type HostToSupervisor, type RequestMessage, type ResponseMessage, type StatusMessage } from '../../src/ipc/protocol.js';
import type { SessionStatus } from '../../src/status.js';
import { SPARE_ARG, SPARE_TITLE_ROOM } from '../../session-host/startup-args.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST_MAIN = join(PROJECT_ROOT, 'dist', 'host', 'session-host.mjs');

let built = false;
const SOURCE_DIRS = ['src', 'session-host', 'test/wa-sim', 'test/support'];
const BUILD_LOCK = join(PROJECT_ROOT, 'dist', '.host-harness-build.lock');

/**
 * Compiles the project when a source the hosts run is newer than its output. Test files run in
 * parallel workers: a lock folder makes one of them build while the others wait, and the
 * freshness check then lets the others skip it. tsc emits even with type errors in other files.
 */
export function buildOnce(): void {
  if (built) return;
  mkdirSync(join(PROJECT_ROOT, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() - started > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true }); // a crashed builder
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (staleOutputs()) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
      } catch {
        // tsc emits despite type errors elsewhere; the bundle below is what hosts run.
      }
    }
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-host.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
  if (!existsSync(HOST_MAIN) || statSync(HOST_MAIN).size === 0) throw new Error(`build did not produce ${HOST_MAIN}`);
  built = true;
}

function staleOutputs(): boolean {
  for (const dir of SOURCE_DIRS) {
    for (const rel of listTs(join(PROJECT_ROOT, dir))) {
      const src = join(PROJECT_ROOT, dir, rel);
      const out = join(PROJECT_ROOT, 'dist', dir, rel.replace(/\.ts$/, '.js'));
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) return true;
    }
  }
  return false;
}

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
}

/** A request as a test writes it; the handle assigns the id. */
export type RequestWithoutId = RequestMessage extends infer R ? (R extends RequestMessage ? Omit<R, 'id'> : never) : never;

export interface HostOptions {
  sessionId: string;
  dataDir: string;
  init?: Partial<HostInit>;
  execArgv?: string[];
  env?: Record<string, string>;
  /** Send `init` right away (default true). */
  sendInit?: boolean;
  /** Fork as a spare (`--spare`, HOST_SPARES): no session until `init` names `sessionId`. */
  spare?: boolean;
  /** Arguments before the role, as the supervisor passes them (`--code-cache <dir>`). */
  hostArgs?: string[];
  /** Forward the host's stdout/stderr to this process (debugging). */
  inheritOutput?: boolean;
  /** Answers every `message-in` that waits for it with an ok `message-in-ack`, as the supervisor does (default true). */
  ackIncoming?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class HostHandle {
  readonly child: ChildProcess;
  readonly messages: HostToSupervisor[] = [];
  readonly exited: Promise<ExitInfo>;
  readonly output: string[] = [];
  exitInfo: ExitInfo | undefined;
  private nextId = 1;
  private waiters = new Set<() => void>();

  constructor(readonly options: HostOptions) {
    this.child = fork(HOST_MAIN, [...(options.hostArgs ?? []), ...(options.spare ? [SPARE_ARG, SPARE_TITLE_ROOM] : ['--session', options.sessionId])], {
      execArgv: options.execArgv ?? [],
      env: { ...process.env, ...options.env },
      serialization: 'json',
      stdio: options.inheritOutput ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.on('data', (d: Buffer) => this.keep(d));
    this.child.stderr?.on('data', (d: Buffer) => this.keep(d));
    this.child.on('message', (m: HostToSupervisor) => {
      this.messages.push(m);
      // As the supervisor does once its outbox committed them: the host may now receipt them.
      if (m.type === 'message-in' && m.deliveryId !== undefined && options.ackIncoming !== false) {
        this.child.send({ type: 'message-in-ack', deliveryId: m.deliveryId, ok: true });
      }
      this.notify();
    });
    this.child.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolve({ code, signal });
      });
    });
    if (options.sendInit !== false) this.sendInit();
  }

  get pid(): number {
    return this.child.pid!;
  }

  initMessage(): HostInit {
    return makeInit(this.options);
  }

  sendInit(): void {
    this.child.send(this.initMessage());
  }

  statuses(): StatusMessage[] {
    return this.messages.filter((m): m is StatusMessage => m.type === 'status');
  }

  of<T extends HostToSupervisor['type']>(type: T): Extract<HostToSupervisor, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<HostToSupervisor, { type: T }>[];
  }

  /** Resolves with the first message (from index `from`) that matches; rejects on exit or timeout. */
  waitFor<T extends HostToSupervisor>(predicate: (m: HostToSupervisor) => m is T, timeoutMs?: number, from?: number): Promise<T>;
  waitFor(predicate: (m: HostToSupervisor) => boolean, timeoutMs?: number, from?: number): Promise<HostToSupervisor>;
  waitFor(predicate: (m: HostToSupervisor) => boolean, timeoutMs = 20_000, from = 0): Promise<HostToSupervisor> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.slice(from).find(predicate);
        if (found) return done(() => resolve(found));
        if (this.exitInfo) return done(() => reject(new Error(`host exited (${JSON.stringify(this.exitInfo)}) before the awaited message; got ${this.summary()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms; got ${this.summary()}\n${this.output.join('').slice(-3000)}`))), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        fn();
      };
      this.waiters.add(check);
      check();
    });
  }

  waitStatus(status: SessionStatus, timeoutMs = 20_000, from = 0): Promise<StatusMessage> {
    return this.waitFor((m): m is StatusMessage => m.type === 'status' && m.status === status, timeoutMs, from);
  }

  request(message: RequestWithoutId, timeoutMs = 20_000): Promise<ResponseMessage> {
    const id = this.nextId++;
    this.child.send({ ...message, id });
    return this.waitFor((m): m is ResponseMessage => m.type === 'response' && m.id === id, timeoutMs);
  }

  async waitExit(timeoutMs = 20_000): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`host did not exit within ${timeoutMs} ms; got ${this.summary()}`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the host if it still runs (test cleanup). */
  async dispose(): Promise<void> {
    if (this.exitInfo) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  summary(): string {
    return this.messages.map((m) => (m.type === 'status' ? `status:${m.status}${m.reason ? `(${m.reason})` : ''}` : m.type)).join(', ');
  }

  private keep(d: Buffer): void {
    this.output.push(d.toString());
    if (this.output.length > 400) this.output.splice(0, 200);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** The `init` a supervisor would send: local storage in `dataDir`, no encryption, QR cap 5, plus overrides. */
export function makeInit(options: Pick<HostOptions, 'sessionId' | 'dataDir' | 'init'>): HostInit {
  const { sessionId, dataDir, init } = options;
  return {
    type: 'init',
    protocol: IPC_PROTOCOL_VERSION,
    sessionId,
    workerId: 'test-worker',
    dataDir,
    storage: { driver: 'local', dataDir },
    storageTimeoutMs: 5_000,
    encryptionKeys: [],
    qrMaxAttempts: 5,
    logLevel: 'info',
    isRecovery: false,
    ...init,
  };
}

export function startHost(options: HostOptions): HostHandle {
  return new HostHandle(options);
}
