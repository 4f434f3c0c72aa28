/**
 * `startSupervisor` in-process: the composition root tests and later issues build on. Real
 * listening socket on 127.0.0.1, plus fastify's `inject` for cases a socket adds nothing to.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { packageVersion } from '../../src/version.js';
import { startSupervisor, type Supervisor } from '../../supervisor/app.js';
import { freePort } from '../support/free-port.js';

const silent = pino({ level: 'silent' });
const started: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function boot(env: Record<string, string> = {}, options: Parameters<typeof startSupervisor>[2] = {}): Promise<Supervisor> {
  const config = parseConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-app-')), ...env });
  const s = await startSupervisor(config, silent, options);
  started.push(s);
  return s;
}

describe('startSupervisor', () => {
  it('listens on HOST:PORT and answers /live over a real socket', async () => {
    const s = await boot();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    const res = await fetch(`${s.url}/live`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ success: true, data: { status: 'alive' } });
  });

  it('reports its true state on /health: version, mode, uptime and sessions', async () => {
    let now = 1_000_000;
    const s = await boot({}, { now: () => now, sessionStatuses: () => ['connected', 'connected', 'qr_required'] });
    now += 65_400;
    const res = await s.http.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      success: true,
      data: {
        status: 'ok',
        workerId: s.workerId,
        version: packageVersion(),
        mode: 'standalone',
        uptimeSeconds: 65,
        maxSessions: 500,
        sessions: { total: 3, byStatus: { connected: 2, qr_required: 1 } },
      },
    });
  });

  it('says backend mode and profile when BACKEND_URL is set, and WORKER_VERSION overrides the version', async () => {
    const s = await boot({ BACKEND_URL: 'http://127.0.0.1:9', BACKEND_PROFILE: 'whatsam', WORKER_VERSION: '7.7.7' });
    expect(s.health()).toMatchObject({ mode: 'backend', backendProfile: 'whatsam', version: '7.7.7' });
  });

  it('answers unknown routes with the error envelope', async () => {
    const s = await boot();
    const res = await s.http.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ success: false, timestamp: expect.any(String), error: { code: 'NOT_FOUND', message: 'no route GET /nope' } });
  });

  it('close() is idempotent, stops listening, and marks health shutting_down', async () => {
    const s = await boot();
    const a = s.close();
    expect(s.close()).toBe(a);
    await a;
    expect(s.health().status).toBe('shutting_down');
    await expect(fetch(`${s.url}/live`)).rejects.toThrow();
  });

  it('keeps its worker id across in-process restarts on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-app-'));
    const first = await boot({ DATA_DIR: dataDir });
    await first.close();
    const second = await boot({ DATA_DIR: dataDir });
    expect(second.workerId).toBe(first.workerId);
  });

  it('fails with DATA_DIR_UNAVAILABLE when DATA_DIR cannot be created', async () => {
    // A folder below a regular file can never be created (ENOTDIR), even as root.
    const file = join(mkdtempSync(join(tmpdir(), 'wa-app-')), 'a-file');
    writeFileSync(file, 'x');
    const config = parseConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), DATA_DIR: join(file, 'data') });
    await expect(startSupervisor(config, silent)).rejects.toMatchObject({ code: 'DATA_DIR_UNAVAILABLE' });
  });
});
