import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { localStorageSettings, useSimEnv, type SimEnv } from './sim-env.js';

/**
 * Endings that delete auth (a 401 from WhatsApp, a logout request) and messaging through IPC.
 */
const env = useSimEnv();

const paired = (init: Parameters<SimEnv['host']>[2] = {}) => env.paired('end', 15550003000, init);

describe('logged out', () => {
  it('401 from WhatsApp → logged_out, local and remote auth deleted, exit 10', async () => {
    const { h, phone, dataDir, sessionId } = await paired();
    const store = env.store(localStorageSettings(dataDir));
    expect(await store.headGeneration(sessionId)).not.toBeNull();
    env.sim.forceLogout(phone);
    const st = await h.waitStatus('logged_out', 10_000);
    expect(st.closeCode).toBe(401);
    expect((await h.waitExit()).code).toBe(EXIT.LOGGED_OUT);
    expect(existsSync(join(dataDir, 'sessions', sessionId))).toBe(false);
    expect(await store.headGeneration(sessionId)).toBeNull();
    expect(await store.listGenerations(sessionId)).toEqual([]);
  });
  it('device forgotten while the host was down → 401 at login → logged_out, exit 10', async () => {
    const { h, phone, dataDir, sessionId } = await paired();
    await h.request({ type: 'stop' });
    await h.waitExit();
    env.sim.forgetDevice(phone);
    const again = env.host(sessionId, dataDir);
    await again.waitStatus('logged_out', 15_000);
    expect((await again.waitExit()).code).toBe(EXIT.LOGGED_OUT);
    expect(again.of('qr')).toHaveLength(0);
  });
  it('logout request → logged_out, auth deleted locally and remotely, device unlinked, exit 10', async () => {
    const { h, phone, dataDir, sessionId } = await paired();
    const linked = () => env.sim.devices().filter((d) => d.phone === phone);
    expect(linked()).toHaveLength(1);
    const { deviceJid } = linked()[0]!;

    // A stop is not a logout: WhatsApp keeps the device, and the host logs in again without a QR.
    await h.request({ type: 'stop' });
    expect((await h.waitExit()).code).toBe(EXIT.STOPPED);
    expect(linked().map((d) => d.deviceJid)).toEqual([deviceJid]);
    const again = env.host(sessionId, dataDir);
    await again.waitStatus('connected', 20_000);
    expect(again.of('qr')).toHaveLength(0);

    const removed = waitForEvent(env.sim, 'device-removed', (e: { phone: string }) => e.phone === phone);
    const res = await again.request({ type: 'logout' });
    expect(res).toMatchObject({ ok: true, result: { accepted: true, deadlineMs: expect.any(Number) } });
    expect((await again.waitExit()).code).toBe(EXIT.LOGGED_OUT);
    expect(again.statuses().at(-1)?.status).toBe('logged_out');
    expect(existsSync(join(dataDir, 'sessions', sessionId))).toBe(false);
    expect(await env.store(localStorageSettings(dataDir)).headGeneration(sessionId)).toBeNull();
    // WhatsApp was told (remove-companion-device) and forgot this device.
    expect(await removed).toMatchObject({ phone, deviceJid, reason: 'user_initiated' });
    expect(linked()).toEqual([]);
  });
});

describe('messaging', () => {
  it('a text goes out and one comes in through IPC', async () => {
    const { h, phone } = await paired();
    const contact = '15550009999';
    env.sim.registerContact(contact); // sends run a number check first (issue 19 §3)
    const seen = new Promise<{ text: string; to: string }>((resolve) => env.sim.once('message', resolve));
    const sent = await h.request({ type: 'send', to: contact, message: { type: 'text', text: 'hello from the gateway' } });
    expect(sent).toMatchObject({ ok: true, result: { messageId: expect.any(String), to: `${contact}@s.whatsapp.net`, status: 'sent' } });
    // The contact's phone (simulator) decrypted it, and its delivery receipt comes back as an IPC receipt.
    expect(await seen).toMatchObject({ text: 'hello from the gateway' });
    const messageId = sent.ok ? (sent.result as { messageId: string }).messageId : '';
    await h.waitFor((m) => m.type === 'receipt' && m.messageId === messageId && m.status === 'delivered', 10_000);
    await env.sim.deliverText(contact, phone, 'hello back');
    const inbound = await h.waitFor((m) => m.type === 'message-in', 15_000);
    expect(inbound).toMatchObject({ messages: [expect.objectContaining({ from: `${contact}@s.whatsapp.net`, type: 'text', text: 'hello back' })] });
  });

  it('send while not connected answers NOT_CONNECTED; bad recipients are refused', async () => {
    const dataDir = await env.tempDir();
    const h = env.host('not-conn', dataDir);
    await h.waitFor((m) => m.type === 'qr');
    const res = await h.request({ type: 'send', to: '15550001234', message: { type: 'text', text: 'x' } });
    expect(res).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
    const bad = await h.request({ type: 'send', to: 'nobody', message: { type: 'text', text: 'x' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_RECIPIENT' } });
  });
});

/** The first `event` from `emitter` whose payload matches; rejects after `timeoutMs`. */
function waitForEvent<T>(emitter: EventEmitter, event: string, match: (e: T) => boolean, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no matching '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (e: T) => {
      if (!match(e)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(e);
    };
    emitter.on(event, on);
  });
}
