/**
 * Per-session proxy settings through the API (issue 19 §2) against a real in-process supervisor
 * whose hosts are the fixture host (real forked processes; its journal records the `init` each
 * host got). The WhatsApp side through real proxies is test/session-host/proxy.test.ts and
 * test/e2e/session-proxy.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHost } from '../supervisor/support/build.js';
import { events } from '../supervisor/support/journal.js';
import { call, startApiWorker, TOKEN, until, type ApiWorker } from './support/api.js';

const journalDir = mkdtempSync(join(tmpdir(), 'wa-proxy-journal-'));
const journalFile = join(journalDir, 'journal.jsonl');
const DEFAULT = 'socks5h://def:D3faultPw@10.9.8.7:1080';
const OWN = 'http://alice:S3ssionPw@proxy.example:3128';
let workers: ApiWorker[] = [];

beforeAll(() => {
  process.env.FIXTURE_JOURNAL = journalFile;
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(() => {
  delete process.env.FIXTURE_JOURNAL;
  rmSync(journalDir, { recursive: true, force: true });
});

async function worker(env: Record<string, string> = {}, dataDir?: string): Promise<ApiWorker> {
  const w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'info', ...(dataDir ? { DATA_DIR: dataDir } : {}), ...env }, fixtureHost('good'));
  workers.push(w);
  return w;
}
const connected = (w: ApiWorker, id: string, notPid?: number) =>
  until(async () => {
    const v = (await call(w, 'GET', `/api/sessions/${id}`)).body.data;
    return v?.status === 'connected' && v.pid !== notPid ? v : undefined;
  }, 20_000, `${id} connected`);
const inits = (id: string) => events(journalFile, id, 'init');

describe('session proxy settings (issue 19 §2)', () => {
  it('POST with a proxy: the first host gets it; the view shows it redacted; WA_PROXY_URL is the default', async () => {
    const w = await worker({ WA_PROXY_URL: DEFAULT });
    const created = await call(w, 'POST', '/api/sessions', { body: { sessionId: 'own1', proxy: ` ${OWN}/ ` } });
    expect(created.status).toBe(201);
    expect(created.body.data.proxy).toEqual({ url: 'http://alice:***@proxy.example:3128', source: 'session' });
    await connected(w, 'own1');
    expect(inits('own1').map((e) => e.proxy)).toEqual([OWN]);
    await call(w, 'POST', '/api/sessions', { body: { sessionId: 'def1' } });
    const v = await connected(w, 'def1');
    expect(v.proxy).toEqual({ url: 'socks5h://def:***@10.9.8.7:1080', source: 'default' });
    expect(inits('def1').map((e) => e.proxy)).toEqual([DEFAULT]);
    const file = join(w.dataDir, 'session-settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).sessions).toEqual({ own1: { proxy: OWN } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = JSON.stringify([(await call(w, 'GET', '/api/sessions')).body, w.logs]);
    expect(text).not.toContain('S3ssionPw');
    expect(text).not.toContain('D3faultPw');
  });

  it('without any proxy a host gets none, and the view says null', async () => {
    const w = await worker();
    await call(w, 'POST', '/api/sessions', { body: { sessionId: 'none1' } });
    expect((await connected(w, 'none1')).proxy).toBeNull();
    expect(inits('none1').map((e) => e.proxy)).toEqual([undefined]);
  });

  it('POST with a proxy for an existing stopped session: saved, and its one next host uses it', async () => {
    const w = await worker();
    await call(w, 'POST', '/api/sessions', { body: { sessionId: 'again1' } });
    await connected(w, 'again1');
    await call(w, 'POST', '/api/sessions/again1/disconnect');
    await until(async () => ((await call(w, 'GET', '/api/sessions/again1')).body.data.pid === null ? true : undefined), 20_000, 'again1 stopped');
    const r = await call(w, 'POST', '/api/sessions', { body: { sessionId: 'again1', proxy: OWN } });
    expect(r.status).toBe(200);
    await connected(w, 'again1');
    expect(inits('again1').map((e) => e.proxy)).toEqual([undefined, OWN]);
  });

  it('a bad proxy on create: 400 PROXY_URL_INVALID, no session, nothing saved', async () => {
    const w = await worker();
    for (const proxy of ['ftp://u:Leak3d@h:21', 'socks5://h', 'http://h:99999', 'not a url']) {
      const r = await call(w, 'POST', '/api/sessions', { body: { sessionId: 'bad1', proxy } });
      expect(r.status, proxy).toBe(400);
      expect(r.body.error.code).toBe('PROXY_URL_INVALID');
      expect(JSON.stringify(r.body)).not.toContain('Leak3d');
    }
    expect((await call(w, 'GET', '/api/sessions/bad1')).status).toBe(404);
    expect(inits('bad1')).toHaveLength(0);
  });

  it('PATCH restarts a running host on the new proxy; the same value again restarts nothing; kept across a restart; DELETE forgets it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-proxy-data-'));
    try {
      let w = await worker({}, dataDir);
      await call(w, 'POST', '/api/sessions', { body: { sessionId: 'p1' } });
      const first = await connected(w, 'p1');
      const r = await call(w, 'PATCH', '/api/sessions/p1', { body: { proxy: OWN } });
      expect(r.status).toBe(200);
      expect(r.body.data.proxy).toEqual({ url: 'http://alice:***@proxy.example:3128', source: 'session' });
      const second = await connected(w, 'p1', first.pid);
      expect(inits('p1').map((e) => e.proxy)).toEqual([undefined, OWN]);
      // Unchanged: no restart.
      await call(w, 'PATCH', '/api/sessions/p1', { body: { proxy: OWN } });
      expect((await call(w, 'GET', '/api/sessions/p1')).body.data.pid).toBe(second.pid);
      // A disconnected session only keeps the setting for its next start.
      await call(w, 'POST', '/api/sessions/p1/disconnect');
      await until(async () => ((await call(w, 'GET', '/api/sessions/p1')).body.data.pid === null ? true : undefined), 20_000, 'p1 stopped');
      await call(w, 'PATCH', '/api/sessions/p1', { body: { proxy: 'socks5://10.0.0.1:1080' } });
      expect((await call(w, 'GET', '/api/sessions/p1')).body.data).toMatchObject({ pid: null, status: 'disconnected' });
      await call(w, 'POST', '/api/sessions/p1/restart');
      await connected(w, 'p1');
      expect(inits('p1').at(-1)?.proxy).toBe('socks5://10.0.0.1:1080');
      await w.close();
      workers = workers.filter((x) => x !== w);

      w = await worker({}, dataDir);
      const back = await connected(w, 'p1');
      expect(back.proxy).toEqual({ url: 'socks5://10.0.0.1:1080', source: 'session' });
      expect(inits('p1').at(-1)).toMatchObject({ proxy: 'socks5://10.0.0.1:1080', isRecovery: true });
      expect((await call(w, 'DELETE', '/api/sessions/p1')).status).toBe(200);
      expect(JSON.parse(readFileSync(join(dataDir, 'session-settings.json'), 'utf8')).sessions).toEqual({});
    } finally {
      // The worker's last registry write must land before its folder goes.
      await Promise.all(workers.splice(0).map((x) => x.close()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('PATCH with bad input changes nothing: 400 with a code, or 404 for an unknown session', async () => {
    const w = await worker();
    await call(w, 'POST', '/api/sessions', { body: { sessionId: 'b1', proxy: OWN } });
    const v = await connected(w, 'b1');
    const cases: Array<[unknown, string]> = [[{ proxy: 'gopher://h:70' }, 'PROXY_URL_INVALID'], [{ proxy: true }, 'VALIDATION_FAILED'], [{}, 'VALIDATION_FAILED'], [{ proxy: null, name: 'x' }, 'VALIDATION_FAILED']];
    for (const [body, code] of cases) {
      const r = await call(w, 'PATCH', '/api/sessions/b1', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    expect((await call(w, 'PATCH', '/api/sessions/nope', { body: { proxy: null } })).body.error.code).toBe('SESSION_NOT_FOUND');
    expect((await call(w, 'GET', '/api/sessions/b1')).body.data).toMatchObject({ pid: v.pid, proxy: { source: 'session' } });
    expect(inits('b1')).toHaveLength(1);
  });

  it('is described in the OpenAPI document (PATCH body, create body, view field)', async () => {
    const w = await worker();
    const doc = (await call(w, 'GET', '/docs/json', { token: null })).body;
    const patch = doc.paths['/api/sessions/{id}'].patch;
    expect(patch.requestBody.content['application/json'].schema).toMatchObject({ required: ['proxy'], additionalProperties: false, properties: { proxy: { type: ['string', 'null'] } } });
    expect(doc.paths['/api/sessions'].post.requestBody.content['application/json'].schema.properties.proxy).toMatchObject({ type: ['string', 'null'] });
    expect(patch.responses['200'].content['application/json'].schema.properties.data.properties.proxy.properties.source).toMatchObject({ enum: ['session', 'default'] });
  });
});
