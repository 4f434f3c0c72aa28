import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import type { ReconnectMessage } from '../../src/ipc/protocol.js';
import { useSimEnv, type SimEnv } from './sim-env.js';

/**
 * Each way WhatsApp (the simulator) can end a connection gives its status and exit code; the
 * reconnectable ones reconnect inside the same process.
 */
const env = useSimEnv();

const paired = (init: Parameters<SimEnv['host']>[2] = {}) => env.paired('close', 15550002000, init);

describe('close codes', () => {
  it('428 drop, 503 refusal and a stall each reconnect inside the same process', async () => {
    const { h, phone } = await paired({ keepAliveIntervalMs: 1_000 });

    let from = h.messages.length;
    env.sim.dropConnection(phone);
    expect((await h.waitStatus('reconnecting', 10_000, from)).closeCode).toBe(428);
    await h.waitStatus('connected', 15_000, from);

    from = h.messages.length;
    env.sim.failNextLogin(phone, 'refuse');
    env.sim.dropConnection(phone);
    await h.waitFor((m): m is ReconnectMessage => m.type === 'reconnect' && m.closeCode === 503, 15_000, from);
    await h.waitStatus('connected', 20_000, from);

    from = h.messages.length;
    env.sim.stall(phone);
    // Baileys' keep-alive gives up after interval + 5 s of silence.
    expect((await h.waitStatus('reconnecting', 20_000, from)).closeCode).toBe(408);
    await h.waitStatus('connected', 20_000, from);

    expect(h.exitInfo).toBeUndefined();
    // Exactly one live socket after three reconnects: no leaked connections.
    expect(await settle(() => establishedTo(new URL(env.sim.url).port), 1)).toBe(1);
    expect(h.of('ready')).toHaveLength(1);
    expect(h.of('ready')[0]?.pid).toBe(h.pid);
    expect(h.of('qr')).toHaveLength(1);
  });

  it('440 replaced → status replaced, exit 11, auth kept', async () => {
    const { h, phone, dataDir, sessionId } = await paired();
    env.sim.replaceConnection(phone);
    const st = await h.waitStatus('replaced', 10_000);
    expect(st).toMatchObject({ reason: 'replaced', closeCode: 440 });
    expect((await h.waitExit()).code).toBe(EXIT.REPLACED);
    expect(existsSync(join(dataDir, 'sessions', sessionId, 'creds.json'))).toBe(true);
  });

  it.each([
    { code: 411, reason: 'multidevice_mismatch' },
    { code: 403, reason: 'forbidden' },
  ] as const)('stream error $code → failed / $reason, exit 12, not restarted, auth kept', async ({ code, reason }) => {
    const { h, phone, dataDir, sessionId } = await paired();
    const logins: unknown[] = [];
    const onLogin = (e: { phone: string }) => {
      if (e.phone === phone) logins.push(e);
    };
    env.sim.on('login', onLogin);
    try {
      const from = h.messages.length;
      env.sim.closeWithStreamError(phone, code);
      const st = await h.waitStatus('failed', 10_000, from);
      expect(st).toMatchObject({ reason, closeCode: code });
      expect((await h.waitExit()).code).toBe(EXIT.FAILED);
      // No second socket: no reconnect, no other status, and WhatsApp saw no new login.
      const after = h.messages.slice(from);
      expect(after.filter((m) => m.type === 'reconnect')).toEqual([]);
      expect(after.flatMap((m) => (m.type === 'status' ? [m.status] : []))).toEqual(['failed']);
      expect(logins).toEqual([]);
      // A human decides; the device stays linked and its auth stays on disk.
      expect(existsSync(join(dataDir, 'sessions', sessionId, 'creds.json'))).toBe(true);
      expect(env.sim.devices().filter((d) => d.phone === phone)).toHaveLength(1);
    } finally {
      env.sim.off('login', onLogin);
    }
  });

  it('500 (bad session, also transient socket errors) reconnects with backoff; an open in between starts the count again', async () => {
    const { h, phone } = await paired({ badSessionMaxAttempts: 1 });
    // Three 500s, each followed by an open: more than the bound, but never two without an open.
    for (let i = 0; i < 3; i++) {
      const from = h.messages.length;
      env.sim.closeWithStreamError(phone, 500);
      const rc = await h.waitFor((m): m is ReconnectMessage => m.type === 'reconnect', 10_000, from);
      expect(rc).toMatchObject({ closeCode: 500, attempt: 1 });
      await h.waitStatus('connected', 20_000, from);
    }
    expect(h.exitInfo).toBeUndefined();
  });

  it('500 on every login: BAD_SESSION_MAX_ATTEMPTS reconnects without an open, then failed / bad_session, exit 12, auth kept', async () => {
    const { h, phone, dataDir, sessionId } = await paired({ badSessionMaxAttempts: 2 });
    let logins = 0;
    // The server ends every new login with 500 before Baileys can reach `open`.
    const onLogin = (e: { phone: string }) => {
      if (e.phone !== phone) return;
      logins++;
      env.sim.closeWithStreamError(phone, 500);
    };
    env.sim.on('login', onLogin);
    try {
      const from = h.messages.length;
      env.sim.closeWithStreamError(phone, 500);
      const st = await h.waitStatus('failed', 30_000, from);
      expect(st).toMatchObject({ reason: 'bad_session', closeCode: 500 });
      expect((await h.waitExit()).code).toBe(EXIT.FAILED);
      const after = h.messages.slice(from);
      const reconnects = after.filter((m): m is ReconnectMessage => m.type === 'reconnect');
      expect(reconnects.map((m) => [m.closeCode, m.attempt])).toEqual([[500, 1], [500, 2]]);
      // Backoff, not a hot loop: the second wait is longer than the first's lower bound.
      expect(reconnects[1]!.delayMs).toBeGreaterThan(reconnects[0]!.delayMs);
      expect(after.some((m) => m.type === 'status' && m.status === 'connected')).toBe(false);
      expect(logins).toBe(2);
      expect(existsSync(join(dataDir, 'sessions', sessionId, 'creds.json'))).toBe(true);
    } finally {
      env.sim.off('login', onLogin);
    }
  });

  it('QR cap reached → failed / qr_timeout, exit 12', async () => {
    const dataDir = await env.tempDir();
    const h = env.host('qr-cap', dataDir, { qrMaxAttempts: 2, qrTimeoutMs: 500 });
    const st = await h.waitStatus('failed', 15_000);
    expect(st.reason).toBe('qr_timeout');
    expect((await h.waitExit()).code).toBe(EXIT.FAILED);
    expect(h.of('qr')).toHaveLength(2);
  });
});

/** Client-side TCP connections in ESTABLISHED state to 127.0.0.1:<port> (from /proc/net/tcp). */
function establishedTo(port: string): number {
  const hexPort = Number(port).toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[2]!.endsWith(`:${hexPort}`) && cols[3] === '01') count++;
    }
  }
  return count;
}

async function settle(read: () => number, want: number, ms = 5_000): Promise<number> {
  const end = Date.now() + ms;
  let value = read();
  while (value !== want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    value = read();
  }
  return value;
}
