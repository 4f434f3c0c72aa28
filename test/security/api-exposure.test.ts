/**
 * Issue 16 §4: secure by default, with the compiled supervisor as an operator runs it. Without
 * WORKER_AUTH_TOKEN it listens on loopback only; a non-loopback HOST without a token stops start-up
 * (exit 2, one line saying what to set) unless ALLOW_UNAUTHENTICATED_API=true; with a token an
 * unset HOST is every interface; /metrics keeps its own token.
 */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SupervisorProcess } from '../foundation/support/supervisor-process.js';
import { freePort } from '../support/free-port.js';

const running: SupervisorProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

function start(env: Record<string, string>): SupervisorProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'wa-exposure-'));
  const p = new SupervisorProcess({ env: { DATA_DIR: join(cwd, 'data'), LOG_PRETTY: 'false', ...env }, cwd });
  running.push(p);
  return p;
}

/** An address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('API exposure', () => {
  it('no token, no HOST: listens on 127.0.0.1 only, and says so', async () => {
    const port = await freePort();
    const p = start({ PORT: String(port) });
    const started = await p.waitForLog('supervisor started');
    expect(started.host).toBe('127.0.0.1');
    expect(await reachable('127.0.0.1', port)).toBe(true);
    const external = externalAddress();
    if (external) expect(await reachable(external, port)).toBe(false);
    expect(p.stdout).toMatch(/WORKER_AUTH_TOKEN is not set: the session API \(\/api\/\*\) has no authentication and listens on loopback only/);
    p.child.kill('SIGTERM');
    expect((await p.exit()).code).toBe(0);
  });

  it.each(['0.0.0.0', '::', '192.0.2.10'])('HOST=%s without a token: exit 2 and one line saying what to set', async (host) => {
    const p = start({ PORT: String(await freePort()), HOST: host });
    expect(await p.exit()).toEqual({ code: 2, signal: null });
    expect(p.stderr).toBe(
      `HOST=${host} without WORKER_AUTH_TOKEN would open the session API to the network: set WORKER_AUTH_TOKEN, or ALLOW_UNAUTHENTICATED_API=true to accept an unauthenticated API (or HOST=127.0.0.1)\n`,
    );
    expect(p.stdout).toBe('');
  });

  it('HOST=0.0.0.0 with ALLOW_UNAUTHENTICATED_API=true: starts, open, with a loud warning', async () => {
    const port = await freePort();
    const p = start({ PORT: String(port), HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_API: 'true' });
    expect((await p.waitForLog('supervisor started')).host).toBe('0.0.0.0');
    expect(p.stdout).toMatch(/ALLOW_UNAUTHENTICATED_API=true: the session API \(\/api\/\*\) is OPEN to the network/);
    expect((await fetch(`http://127.0.0.1:${port}/api/sessions`)).status).toBe(200);
  });

  it('with a token: every interface by default, /api needs it, /metrics keeps its own token', async () => {
    const port = await freePort();
    const p = start({ PORT: String(port), WORKER_AUTH_TOKEN: 'api-token', METRICS_TOKEN: 'metrics-token' });
    expect((await p.waitForLog('supervisor started')).host).toBe('0.0.0.0');
    const base = `http://127.0.0.1:${port}`;
    const get = (path: string, token?: string) => fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get('/api/sessions')).status).toBe(401);
    expect((await get('/api/sessions', 'api-token')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', 'api-token')).status).toBe(401);
    expect((await get('/metrics', 'metrics-token')).status).toBe(200);
    expect(p.stdout).not.toMatch(/WORKER_AUTH_TOKEN is not set/);
  });
});
