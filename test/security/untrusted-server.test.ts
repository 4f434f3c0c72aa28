/**
 * Issue 16 §2: production session hosts verify the WhatsApp server's certificate chain themselves
 * (session-host/wa-trust/); the simulator's preload only swaps the root key. Real hosts against
 * the simulator: trusting its root → connected; trusting another root (a simulator of another
 * CA, as a man in the middle would be) → `failed` / `untrusted_server`, exit 12, one handshake and
 * no more, no QR, the auth folder byte for byte as it was, and a log line that says why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { makeCertAuthority } from '../wa-sim/certs.js';
import { useSimEnv } from '../session-host/sim-env.js';

const env = useSimEnv();

const otherRoot = () => ({ WA_SIM_ROOT_PUBLIC_KEY: makeCertAuthority().root.public.toString('base64') });

function folder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

/** Counts the simulator's `name` events; `mine` filters out those of connections a previous test left closing. */
function countEvents(name: string, mine: (e: { connId?: number }) => boolean = () => true): { count: () => number; stop: () => void } {
  let n = 0;
  const on = (e: { connId?: number }) => void (mine(e) && n++);
  env.sim.on(name, on);
  return { count: () => n, stop: () => env.sim.off(name, on) };
}

describe('server certificate verification in production hosts', () => {
  it('trusting the simulator root: pairs and connects', async () => {
    const h = env.host('trust-ok', await env.tempDir());
    await env.pair(h, '15550008001');
    expect(h.statuses().some((s) => s.status === 'failed')).toBe(false);
  });

  it('a new session against a server of another root: failed / untrusted_server, no QR, no retry', async () => {
    const qrs = countEvents('qr');
    // The previous test's host may still be closing its connection (afterEach kills it): count only new ones.
    const before = env.sim.liveConnIds();
    const closed = countEvents('closed', (e) => e.connId === undefined || !before.has(e.connId));
    const dataDir = await env.tempDir();
    const untrusted = env.hostWithEnv('trust-new', dataDir, otherRoot());
    const st = await untrusted.waitStatus('failed', 20_000);
    expect(st.reason).toBe('untrusted_server');
    expect((await untrusted.waitExit()).code).toBe(EXIT.FAILED);
    expect(untrusted.of('qr')).toHaveLength(0);
    expect(qrs.count()).toBe(0);
    expect(untrusted.statuses().map((s) => s.status)).not.toContain('reconnecting');
    expect(closed.count()).toBeLessThanOrEqual(1);
    expect(untrusted.output.join('')).toMatch(/"reason":"untrusted_server".*WhatsApp server failed certificate verification/);
    qrs.stop();
    closed.stop();
  });

  it('a paired session restarted against a server of another root: failed / untrusted_server, auth untouched', async () => {
    const dataDir = await env.tempDir();
    const h = env.host('trust-paired', dataDir);
    await env.pair(h, '15550008002');
    await h.waitFor((m) => m.type === 'snapshot');
    await h.request({ type: 'stop' });
    await h.waitExit();
    const authDir = join(dataDir, 'sessions', 'trust-paired');
    const before = folder(authDir);
    const logins = countEvents('login');

    const again = env.hostWithEnv('trust-paired', dataDir, otherRoot());
    expect((await again.waitStatus('failed', 20_000)).reason).toBe('untrusted_server');
    expect((await again.waitExit()).code).toBe(EXIT.FAILED);
    expect(again.of('qr')).toHaveLength(0);
    expect(logins.count()).toBe(0);
    expect(folder(authDir)).toEqual(before);
    logins.stop();

    // The same auth against the trusted server still logs in without a QR.
    const back = env.host('trust-paired', dataDir);
    await back.waitStatus('connected', 20_000);
    expect(back.of('qr')).toHaveLength(0);
  });
});
