/**
 * The supervisor as an operator runs it: the compiled entry point in a real process, real
 * signals, real sockets on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SupervisorProcess } from './support/supervisor-process.js';
import { freePort } from '../support/free-port.js';

const running: SupervisorProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

function start(env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), 'wa-sup-'))): SupervisorProcess {
  const p = new SupervisorProcess({ env: { HOST: '127.0.0.1', ...env }, cwd });
  running.push(p);
  return p;
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** A request whose headers never finish: it keeps a graceful close waiting. */
async function unfinishedRequest(port: number): Promise<Socket> {
  const slow = connect(port, '127.0.0.1');
  await once(slow, 'connect');
  slow.write('GET /live HTTP/1.1\r\nHost: x\r\n');
  return slow;
}

describe('supervisor process', () => {
  it('serves /live and /health, names itself wa-supervisor, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(mkdtempSync(join(tmpdir(), 'wa-sup-data-')), 'nested', 'data');
    const p = start({ PORT: String(port), DATA_DIR: dataDir });
    const started = await p.waitForLog('supervisor started');

    const live = await getJson(`http://127.0.0.1:${port}/live`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ success: true, timestamp: expect.any(String), data: { status: 'alive' } });
    expect(Number.isNaN(Date.parse(live.body.timestamp))).toBe(false);

    const health = await getJson(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(health.body.data).toMatchObject({
      status: 'ok',
      workerId: started.workerId,
      mode: 'standalone',
      sessions: { total: 0, byStatus: {} },
      pid: p.child.pid,
    });
    expect(health.body.data.uptimeSeconds).toBeGreaterThanOrEqual(0);

    // DATA_DIR (nested, absent before) now holds the worker id.
    expect(readFileSync(join(dataDir, 'worker-id'), 'utf8').trim()).toBe(started.workerId);
    // `ps` and `pgrep -f wa-supervisor` find it by its title.
    expect(execFileSync('ps', ['-o', 'args=', '-p', String(p.child.pid)]).toString().trim()).toBe('wa-supervisor');

    p.child.kill('SIGTERM');
    expect(await p.exit()).toEqual({ code: 0, signal: null });
    expect(p.stderr).toBe('');
    // The shutdown is logged completely and in order (no line lost or reordered by process.exit).
    const msgs = p.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    const shutdown = ['signal received: shutting down', 'supervisor stopping', 'supervisor stopped'];
    expect(msgs.filter((m) => shutdown.includes(m))).toEqual(shutdown);
    expect(msgs.at(-1)).toBe('supervisor stopped');
  });

  it('exits 0 on SIGINT as well', async () => {
    const port = await freePort();
    const p = start({ PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-sup-data-')) });
    await p.waitForLog('supervisor started');
    p.child.kill('SIGINT');
    expect(await p.exit()).toEqual({ code: 0, signal: null });
  });

  it('keeps one worker id across restarts; WORKER_ID overrides it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-sup-data-'));
    const ids: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const p = start({ PORT: String(await freePort()), DATA_DIR: dataDir });
      const line = await p.waitForLog('supervisor started');
      ids.push(line.workerId);
      expect(line.workerIdSource).toBe(i === 0 ? 'generated' : 'file');
      p.child.kill('SIGTERM');
      expect((await p.exit()).code).toBe(0);
    }
    expect(ids[0]).toEqual(ids[1]);

    const port = await freePort();
    const p = start({ PORT: String(port), DATA_DIR: dataDir, WORKER_ID: 'worker-from-env' });
    await p.waitForLog('supervisor started');
    expect((await getJson(`http://127.0.0.1:${port}/health`)).body.data.workerId).toBe('worker-from-env');
    p.child.kill('SIGTERM');
    await p.exit();
    expect(readFileSync(join(dataDir, 'worker-id'), 'utf8').trim()).toBe(ids[0]);
  });

  it('PORT=abc: exits 2 with exactly one line naming PORT, before any log', async () => {
    const p = start({ PORT: 'abc' });
    expect(await p.exit()).toEqual({ code: 2, signal: null });
    expect(p.stderr).toBe('PORT=abc: expected an integer 1-65535\n');
    expect(p.stdout).toBe('');
  });

  it('reads .env from its working folder, and never prints a secret from it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wa-sup-env-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, '.env'), 'AUTH_ENCRYPTION_KEY=TopSecretButTooShort\n');
    const p = start({}, cwd);
    expect((await p.exit()).code).toBe(2);
    expect(p.stderr).toBe('AUTH_ENCRYPTION_KEY=<redacted>: expected 32 bytes as 64 hex characters or base64\n');
  });

  it('exits 1 with one line when its port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const p = start({ PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-sup-data-')) });
      expect((await p.exit()).code).toBe(1);
      expect(p.stderr).toBe(`start-up failed: HTTP_LISTEN_FAILED: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
    } finally {
      blocker.close();
    }
  });

  it('waits for an in-flight request on SIGTERM; a second signal exits at once', async () => {
    const port = await freePort();
    const p = start({ PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-sup-data-')) });
    await p.waitForLog('supervisor started');
    const slow = await unfinishedRequest(port);
    try {
      p.child.kill('SIGTERM');
      await p.waitForLog('supervisor stopping');
      const early = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('running'), 500))]);
      expect(early).toBe('running');
      p.child.kill('SIGTERM');
      expect(await p.exit(5_000)).toEqual({ code: 128 + 15, signal: null });
    } finally {
      slow.destroy();
    }
  });

  it('ends a shutdown that overruns its deadline with exit 1', async () => {
    const port = await freePort();
    // Deadline = 2 × HOST_STOP_TIMEOUT_MS + 5 s.
    const p = start({ PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-sup-data-')), HOST_STOP_TIMEOUT_MS: '100' });
    await p.waitForLog('supervisor started');
    const slow = await unfinishedRequest(port);
    try {
      p.child.kill('SIGTERM');
      expect(await p.exit(15_000)).toEqual({ code: 1, signal: null });
      expect(p.stdout).toContain('graceful shutdown took too long');
    } finally {
      slow.destroy();
    }
  });
});
