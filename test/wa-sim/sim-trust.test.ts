/**
 * The preload only swaps the root key (the simulator's for WhatsApp's); the verification is the
 * production one (session-host/wa-trust/), which the test client installs as a host does. Without
 * the simulator's root a verifying client must refuse the handshake, and nothing may leave loopback.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimBuilt } from './build.js';
import { SimHarness } from './sim-harness.js';

const run = promisify(execFile);
let h: SimHarness;
beforeAll(async () => {
  await ensureSimBuilt();
  h = await SimHarness.start();
});
afterAll(() => h?.close());

describe('trust preload', () => {
  it('a strictly verifying client that does not trust the simulator root is rejected at the handshake', async () => {
    const logins: unknown[] = [];
    h.sim.on('qr', (q) => logins.push(q));
    const c = h.client(h.authDir(), { env: { WA_SIM_ROOT_PUBLIC_KEY: '' } });
    const close = await c.waitFor('close');
    expect(close.message).toMatch(/untrusted WhatsApp server: intermediate certificate is not signed by the trusted root key/);
    expect(close.reconnect).toBe(false);
    expect(logins).toEqual([]);
    expect(c.events.some((e) => e.type === 'qr' || e.type === 'open')).toBe(false);
  });

  it('raw Baileys rc14 accepts the same untrusted server (why production installs its own check)', async () => {
    // Curve.verify never fails in rc14, so any chain passes and a QR appears
    const c = h.client(h.authDir(), { env: { WA_SIM_ROOT_PUBLIC_KEY: '', WA_CLIENT_UNVERIFIED: '1' } });
    await c.waitFor('qr');
  });

  it("a client trusting another root is rejected too (the leaf/intermediate chain is really checked)", async () => {
    const otherRoot = Buffer.alloc(32, 9).toString('base64');
    const c = h.client(h.authDir(), { env: { WA_SIM_ROOT_PUBLIC_KEY: otherRoot } });
    const close = await c.waitFor('close');
    expect(close.message).toMatch(/untrusted WhatsApp server: intermediate certificate is not signed/);
  });

  it('refuses non-loopback connections in a preloaded process before any packet is sent', async () => {
    const script = `
      const net = await import('node:net');
      const outcome = (sock) => new Promise((resolve) => {
        sock.on('error', (e) => resolve(e.code));
        sock.on('connect', () => { sock.destroy(); resolve('CONNECTED'); });
      });
      // TEST-NET-1: never routed; the preload refuses it before dialling
      const remote = await outcome(net.connect(443, '192.0.2.1'));
      const remoteWs = await outcome(net.connect({ host: 'web.whatsapp.com', port: 443 }));
      const loopback = await outcome(net.connect(${new URL(h.sim.url).port}, '127.0.0.1'));
      console.log(JSON.stringify({ remote, remoteWs, loopback }));`;
    const { stdout } = await run(process.execPath, ['--import', h.sim.preloadPath, '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...h.sim.childEnv() },
      timeout: 15_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      remote: 'WA_SIM_NON_LOOPBACK',
      remoteWs: 'WA_SIM_NON_LOOPBACK',
      loopback: 'CONNECTED',
    });
  });
});
