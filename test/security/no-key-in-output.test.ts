/**
 * Issue 16 §1: nothing a session host prints may carry key bytes. libsignal (a Baileys dependency)
 * `console.info`s whole session records — ratchet private keys, root and chain keys — when it
 * opens, closes or prunes a session. Real hosts against the simulator, stdout and stderr captured,
 * through pairing, messages both ways, a kill -9 and the recovery after it; then every secret key
 * in the session's auth folder is searched for in that output, in every rendering.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimEnv } from '../session-host/sim-env.js';
import type { HostHandle } from '../support/host-harness.js';
import { leaks, secretKeysIn } from './key-material.js';

let env: SimEnv;
beforeAll(async () => {
  env = await SimEnv.start();
});
afterAll(async () => {
  await env?.close();
});

async function exchange(h: HostHandle, phone: string, contact: string, text: string): Promise<void> {
  env.sim.registerContact(contact); // sends run a number check first (issue 19 §3)
  const sent = await h.request({ type: 'send', to: contact, message: { type: 'text', text: `${text} out` } });
  expect(sent.ok).toBe(true);
  const from = h.messages.length;
  await env.sim.deliverText(contact, phone, `${text} in`);
  await h.waitFor((m) => m.type === 'message-in', 15_000, from);
}

describe('session host output', () => {
  it('carries no private, root or chain key through pairing, messages both ways, kill -9 and recovery', async () => {
    const sessionId = 'leak-1';
    const phone = '15550007001';
    const dataDir = await env.tempDir();
    // debug: the redirected console lines are logged there, so the check covers them too.
    const first = env.host(sessionId, dataDir, { logLevel: 'debug' });
    await env.pair(first, phone);
    // One contact writes first (the host opens a session from its prekey message), the other is
    // written to first; then both again, so sessions are opened, used and replaced.
    await env.sim.deliverText('15550007101', phone, 'first contact speaks first');
    await first.waitFor((m) => m.type === 'message-in', 15_000);
    await exchange(first, phone, '15550007102', 'second contact');
    await exchange(first, phone, '15550007101', 'first contact again');

    first.child.kill('SIGKILL');
    await first.waitExit();
    const second = env.host(sessionId, dataDir, { logLevel: 'debug' });
    await second.waitStatus('connected', 30_000);
    expect(second.of('qr')).toHaveLength(0);
    await exchange(second, phone, '15550007101', 'after recovery');
    await exchange(second, phone, '15550007103', 'a new contact after recovery');
    await second.request({ type: 'stop' });
    await second.waitExit();

    const keys = secretKeysIn(join(dataDir, 'sessions', sessionId));
    const files = new Set(keys.map((k) => k.file.replace(/-.*$/, '')));
    // The scan covers creds, one-time pre-keys and Signal session records, or it proves nothing.
    expect([...files].sort()).toEqual(expect.arrayContaining(['creds.json', 'pre', 'session']));
    const output = first.output.join('') + second.output.join('');
    // The dependency's lines were there to leak (libsignal opened sessions), now redacted.
    expect(output).toMatch(/Opening session|Closing session/);
    expect(leaks(output, keys)).toEqual([]);
  });
});
