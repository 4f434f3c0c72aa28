/**
 * Test helper shared by the simulator's own integration tests: one simulator, temp auth folders,
 * forked Baileys clients, all torn down together. Records `unhandled-iq` so a test can fail on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientHandle } from './client-handle.js';
import { startSimulator, type SimOptions, type WaSim } from './index.js';

export class SimHarness {
  readonly unhandled: { tag: string; xmlns?: string; child?: string; phone?: string }[] = [];
  private readonly clients: ClientHandle[] = [];
  private readonly dirs: string[] = [];

  private constructor(readonly sim: WaSim) {
    sim.on('unhandled-iq', ({ node, phone }) => {
      const child = Array.isArray(node.content) ? node.content[0]?.tag : undefined;
      this.unhandled.push({ tag: node.tag, xmlns: node.attrs.xmlns, child, phone });
    });
  }

  static async start(opts?: SimOptions): Promise<SimHarness> {
    return new SimHarness(await startSimulator(opts));
  }

  authDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'wa-sim-auth-'));
    this.dirs.push(d);
    return d;
  }

  client(authDir: string, opts: { keepAliveMs?: number; env?: Record<string, string>; trust?: boolean } = {}): ClientHandle {
    const c = ClientHandle.start({
      authDir,
      env: { ...this.sim.childEnv(), ...opts.env },
      ...(opts.trust === false ? {} : { preloadPath: this.sim.preloadPath }),
      ...(opts.keepAliveMs ? { keepAliveMs: opts.keepAliveMs } : {}),
    });
    this.clients.push(c);
    return c;
  }

  /** Pairs a fresh client by QR and waits until it is open; returns it with its account. */
  async pairedClient(phone: string, opts: { keepAliveMs?: number } = {}) {
    const authDir = this.authDir();
    const client = this.client(authDir, opts);
    const { qr } = await client.waitFor('qr');
    const paired = await this.sim.scan(qr, { phone });
    await client.waitFor('open');
    return { client, authDir, ...paired };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
    await this.sim.close();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
