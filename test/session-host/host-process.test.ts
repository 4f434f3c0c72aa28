import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { sessionFileName } from '../../src/session-id.js';
import { useDeadEndHosts } from '../support/dead-end-hosts.js';
import { HOST_MAIN, makeInit, type HostHandle } from '../support/host-harness.js';

/**
 * Host process behaviour that needs no WhatsApp: title, lock, init handshake, stop, orphan guard.
 * The socket points at a loopback port nobody listens on, so the host keeps reconnecting.
 */
const dead = useDeadEndHosts('wa-host-');
const tempDir = (): Promise<string> => dead.tempDir();

function host(sessionId: string, dataDir: string, init = {}): HostHandle {
  return dead.start({ sessionId, dataDir, init });
}

function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
}

describe('session host process', () => {
  it('sets its title, says ready, reconnects inside the process, and stops with exit 0 and the lock released', async () => {
    const dataDir = await tempDir();
    const h = host('life-1', dataDir);
    const ready = await h.waitFor((m) => m.type === 'ready');
    expect(ready).toMatchObject({ type: 'ready', pid: h.pid, generation: 0, restoredFrom: 'none' });
    expect(cmdline(h.pid)).toContain('wa-host:life-1');
    await h.waitStatus('reconnecting');
    await h.waitFor((m) => m.type === 'reconnect');
    expect(h.statuses().map((s) => s.status).slice(0, 2)).toEqual(['starting', 'connecting']);
    expect(existsSync(join(dataDir, 'locks', 'life-1.lock'))).toBe(true);

    const pong = await h.request({ type: 'ping' });
    expect(pong).toMatchObject({ ok: true, result: { uptimeMs: expect.any(Number), rssBytes: expect.any(Number) } });

    const res = await h.request({ type: 'stop' });
    expect(res).toMatchObject({ ok: true, result: { generation: 0 } });
    expect(await h.waitExit()).toEqual({ code: EXIT.STOPPED, signal: null });
    expect(h.statuses().at(-1)?.status).toBe('disconnected');
    expect(existsSync(join(dataDir, 'locks', 'life-1.lock'))).toBe(false);
  });

  it('a whatsam-style id with spaces, dots and non-ASCII gets a safe lock and folder name and its own title', async () => {
    const dataDir = await tempDir();
    const id = "3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b-my shop's line.ä-1764748800123";
    const name = sessionFileName(id);
    expect(name).toMatch(/^[A-Za-z0-9_~-]+$/);
    const h = host(id, dataDir);
    await h.waitFor((m) => m.type === 'ready');
    expect(cmdline(h.pid)).toContain(`wa-host:${id}`);
    expect(readdirSync(join(dataDir, 'locks'))).toEqual([`${name}.lock`]);
    expect(JSON.parse(readFileSync(join(dataDir, 'locks', `${name}.lock`), 'utf8')).sessionId).toBe(id);
    const res = await h.request({ type: 'stop' });
    expect(res).toMatchObject({ ok: true });
    expect(await h.waitExit()).toEqual({ code: EXIT.STOPPED, signal: null });
    expect(readdirSync(join(dataDir, 'locks'))).toEqual([]);
  });

  it('a second host for the same session refuses to start while the first lives', async () => {
    const dataDir = await tempDir();
    const first = host('dup-1', dataDir);
    await first.waitFor((m) => m.type === 'ready');
    const second = host('dup-1', dataDir);
    const failed = await second.waitFor((m) => m.type === 'init-failed');
    expect(failed).toMatchObject({ reason: 'lock_held', error: { code: 'LOCK_HELD' } });
    expect((await second.waitExit()).code).toBe(EXIT.LOCK_HELD);
    // The first one is untouched.
    expect(first.exitInfo).toBeUndefined();
    expect((await first.request({ type: 'ping' })).ok).toBe(true);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dataDir = await tempDir();
    mkdirSync(join(dataDir, 'locks'), { recursive: true });
    // pid 2^22 - 1 is above the default pid_max: nobody lives there.
    writeFileSync(join(dataDir, 'locks', 'stale-1.lock'), JSON.stringify({ pid: 4_194_303, startTime: '1', sessionId: 'stale-1' }));
    const h = host('stale-1', dataDir);
    await h.waitFor((m) => m.type === 'ready');
    expect(JSON.parse(readFileSync(join(dataDir, 'locks', 'stale-1.lock'), 'utf8')).pid).toBe(h.pid);
  });

  it('SIGTERM stops like IPC stop: exit 0', async () => {
    const h = host('term-1', await tempDir());
    await h.waitStatus('connecting');
    h.child.kill('SIGTERM');
    expect(await h.waitExit()).toEqual({ code: EXIT.STOPPED, signal: null });
  });

  it('an invalid init is refused with init-failed and exit 14', async () => {
    const h = host('bad-1', await tempDir(), { protocol: 999 });
    const failed = await h.waitFor((m) => m.type === 'init-failed');
    expect(failed).toMatchObject({ reason: 'init_failed', error: { code: 'INIT_INVALID' } });
    expect((await h.waitExit()).code).toBe(EXIT.INIT_FAILED);
  });

  it('unreachable remote storage and no local auth: init-failed storage_unavailable, exit 16 (transient; never a QR)', async () => {
    const dataDir = await tempDir();
    const port = Number(new URL(dead.url).port);
    const h = host('nostore-1', dataDir, {
      storageTimeoutMs: 500,
      storage: { driver: 'minio', endPoint: '127.0.0.1', port, useSSL: false, accessKey: 'x', secretKey: 'y', bucket: 'whatsapp-sessions', region: 'us-east-1' },
    });
    const failed = await h.waitFor((m) => m.type === 'init-failed', 30_000);
    expect(failed).toMatchObject({ reason: 'storage_unavailable' });
    expect((await h.waitExit()).code).toBe(EXIT.STORAGE_UNAVAILABLE);
    expect(h.of('qr')).toHaveLength(0);
    expect(h.of('ready')).toHaveLength(0);
  });

  it('SIGKILL the parent → the host is gone within 5 s (orphan guard)', async () => {
    const dataDir = await tempDir();
    const initMessage = makeInit({ sessionId: 'orphan-1', dataDir, init: { waWebsocketUrl: dead.url } });
    const parent = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'parent.mjs'), HOST_MAIN, 'orphan-1'], {
      env: { ...process.env, HOST_INIT: JSON.stringify(initMessage) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const hostPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('hostPid'));
        if (line) resolve((JSON.parse(line) as { hostPid: number }).hostPid);
      });
      parent.on('exit', () => reject(new Error('parent exited early')));
      setTimeout(() => reject(new Error('no ready from host')), 20_000);
    });
    expect(cmdline(hostPid)).toContain('wa-host:orphan-1');
    parent.kill('SIGKILL');
    const started = Date.now();
    while (Date.now() - started < 5_000 && alive(hostPid)) await new Promise((r) => setTimeout(r, 100));
    expect(alive(hostPid)).toBe(false);
    expect(existsSync(join(dataDir, 'locks', 'orphan-1.lock'))).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
