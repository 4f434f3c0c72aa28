/**
 * Test-side handle on a Baileys client fixture process: forks it with the trust preload, records
 * every event it reports, and lets a test await events instead of sleeping.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { ClientCommand, ClientEvent } from './client-protocol.js';

export interface ClientOptions {
  authDir: string;
  env: Record<string, string>;
  /** The preload to load with --import; omit to run a client with no simulator trust at all. */
  preloadPath?: string;
  keepAliveMs?: number;
}

export class ClientHandle {
  readonly events: ClientEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private nextReq = 1;
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (ev: ClientEvent) => {
      this.events.push(ev);
      for (const w of [...this.waiters]) w();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(opts: ClientOptions): ClientHandle {
    const preload = opts.preloadPath;
    // the fixture is compiled next to the preload: dist/test/wa-sim/fixtures/wa-client.js
    const script = join(dirname(preload ?? defaultPreload()), 'fixtures', 'wa-client.js');
    const child = fork(script, [], {
      execArgv: preload ? ['--import', preload] : [],
      env: {
        PATH: process.env.PATH ?? '',
        ...opts.env,
        WA_CLIENT_AUTH_DIR: opts.authDir,
        ...(opts.keepAliveMs ? { WA_CLIENT_KEEPALIVE_MS: String(opts.keepAliveMs) } : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ClientHandle(child);
  }

  /** Resolves with the first event (already seen or future, from index `from`) matching `pred`. */
  waitFor<T extends ClientEvent['type']>(
    type: T,
    pred: (ev: Extract<ClientEvent, { type: T }>) => boolean = () => true,
    timeoutMs = 30_000,
    from = 0,
  ): Promise<Extract<ClientEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.events.length; i++) {
          const ev = this.events[i]!;
          if (ev.type === type && pred(ev as Extract<ClientEvent, { type: T }>)) {
            done();
            resolve(ev as Extract<ClientEvent, { type: T }>);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for client event '${type}'; saw: ${JSON.stringify(this.events.map((e) => e.type === 'close' ? `close:${e.code}` : e.type))}`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Index of the next event: pass it as `from` to wait only for what happens after now. */
  mark(): number {
    return this.events.length;
  }

  async sendText(to: string, text: string, timeoutMs = 30_000): Promise<string> {
    const reqId = this.nextReq++;
    const from = this.mark();
    this.child.send({ type: 'send', reqId, to, text } satisfies ClientCommand);
    const res = await Promise.race([
      this.waitFor('sent', (e) => e.reqId === reqId, timeoutMs, from),
      this.waitFor('send-failed', (e) => e.reqId === reqId, timeoutMs, from),
    ]);
    if (res.type === 'send-failed') throw new Error(`send failed: ${res.message}`);
    return res.id;
  }

  /** `sock.requestPairingCode(phone)` in the client: the 8-character code it would show. */
  async requestPairingCode(phone: string, timeoutMs = 15_000): Promise<string> {
    const reqId = this.nextReq++;
    const from = this.mark();
    this.child.send({ type: 'pairing-code', reqId, phone } satisfies ClientCommand);
    const res = await Promise.race([
      this.waitFor('pairing-code', (e) => e.reqId === reqId, timeoutMs, from),
      this.waitFor('pairing-code-failed', (e) => e.reqId === reqId, timeoutMs, from),
    ]);
    if (res.type === 'pairing-code-failed') throw new Error(`pairing code request failed: ${res.message}`);
    return res.code;
  }

  /** `sock.logout()` in the client; resolves with the close it reports. */
  async logout(timeoutMs = 10_000): Promise<Extract<ClientEvent, { type: 'close' }>> {
    const from = this.mark();
    this.child.send({ type: 'logout' } satisfies ClientCommand);
    return this.waitFor('close', () => true, timeoutMs, from);
  }

  /** Graceful: the client closes its socket (no logout), finishes writing auth, exits. */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: 'exit' } satisfies ClientCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

function defaultPreload(): string {
  return join(process.cwd(), 'dist', 'test', 'wa-sim', 'trust-sim.js');
}
