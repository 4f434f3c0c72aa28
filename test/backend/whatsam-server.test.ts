/**
 * The whatsam backend as a server (issue 20 §3), against the fake that answers as it does: a
 * graceful stop says OFFLINE on its worker-heartbeat webhook and never unregisters; a 404 on the
 * assignments (the backend forgot this worker) makes the worker register again and keep every
 * session, while `200 []` is "none assigned". Its registration probes WORKER_ENDPOINT/health and
 * answers 409 on an endpoint or id held by another registration: the worker names the problem with
 * a stable code in its status (/health) and one log line, keeps retrying quietly, and clears it
 * once the backend accepts it.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../fake-backend/server.js';
import type { Realism } from '../fake-backend/whatsam-realism.js';
import { makeWorker, tempDir, TOKEN, until } from './support/harness.js';

let fake: FakeBackend;
let dir: { path: string; remove: () => Promise<void> };
const stops: Array<() => Promise<void>> = [];

beforeEach(async () => {
  fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN });
  dir = await tempDir();
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await fake.close();
  await dir.remove();
});

async function worker(more: { endpoint?: string; logLines?: Record<string, unknown>[] } = {}) {
  const w = await makeWorker({ url: fake.url, profile: 'whatsam', dataDir: dir.path, env: { WORKER_ID: 'worker-w1' }, ...more });
  stops.push(() => w.stop());
  return w;
}

describe('whatsam backend as a server', () => {
  it('a graceful stop says OFFLINE on the worker-heartbeat webhook, after the last heartbeat, and never unregisters', async () => {
    fake.setAssignments('worker-w1', [{ sessionId: 's1' }]);
    const w = await worker();
    await w.integration.start();
    await w.stop();
    const offline = fake.callsTo('worker-heartbeat');
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatchObject({ valid: true, status: 200, body: { workerId: 'worker-w1', status: 'OFFLINE' } });
    expect(fake.callsTo('unregister')).toEqual([]);
    const lastHeartbeat = fake.callsTo('heartbeat').at(-1);
    if (lastHeartbeat) expect(lastHeartbeat.at).toBeLessThanOrEqual(offline[0]!.at);
    // Still registered at the backend: the next start recovers its sessions.
    expect(fake.workers.has('worker-w1')).toBe(true);
  });

  it('404 on the assignments means "worker unknown": it registers again and releases nothing', async () => {
    fake.setAssignments('worker-w1', [{ sessionId: 's1' }, { sessionId: 's2' }]);
    const w = await worker();
    const specs = await w.integration.start();
    expect(specs.map((s) => s.sessionId)).toEqual(['s1', 's2']);
    const registrations = fake.callsTo('register').length;
    fake.forget('worker-w1');
    await until(() => fake.callsTo('register').length > registrations, 10_000, 're-registration after the 404');
    expect(w.directory.released).toEqual([]);
  });
});

describe('whatsam registration refusals (health probe, 409)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  async function realistic(realism: Realism): Promise<void> {
    await fake.close();
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN, realism });
  }
  async function healthEndpoint(): Promise<string> {
    const s = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  }
  const problemLines = (lines: Record<string, unknown>[], code: string) => lines.filter((l) => l.code === code && (l.level as number) >= 40);

  it('a failed health probe of WORKER_ENDPOINT: BACKEND_HEALTH_PROBE_FAILED in the status and one log line, retried until the endpoint answers', async () => {
    await realistic({ probeHealth: true });
    const lines: Record<string, unknown>[] = [];
    // Nothing listens here yet: the backend's probe is refused.
    const probe = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise((r) => probe.close(r));
    const w = await worker({ endpoint, logLines: lines });
    await w.integration.start();
    await until(() => fake.callsTo('register').length >= 3, 10_000, 'registration retried');
    const st = w.integration.status();
    expect(st.registered).toBe(false);
    expect(st.registrationProblem).toMatchObject({
      code: 'BACKEND_HEALTH_PROBE_FAILED',
      message: expect.stringContaining(`${endpoint}/health`),
      attempts: expect.any(Number),
      since: expect.any(String),
    });
    expect(st.registrationProblem!.message).toContain('WORKER_ENDPOINT');
    expect(st.registrationProblem!.attempts).toBeGreaterThanOrEqual(3);
    expect(problemLines(lines, 'BACKEND_HEALTH_PROBE_FAILED')).toHaveLength(1);
    // The endpoint comes up: the next attempt registers and the problem is gone.
    const up = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((r) => up.listen(Number(new URL(endpoint).port), '127.0.0.1', r));
    servers.push(up);
    await until(() => w.integration.status().registered, 10_000, 'registered once the probe passes');
    expect(w.integration.status().registrationProblem).toBeNull();
    expect(problemLines(lines, 'BACKEND_HEALTH_PROBE_FAILED')).toHaveLength(1);
  });

  it('409, another worker id holds WORKER_ENDPOINT: BACKEND_ENDPOINT_CONFLICT naming it, until it is removed in the backend', async () => {
    await realistic({ probeHealth: true, conflicts: true });
    const endpoint = await healthEndpoint();
    fake.workers.set('worker-old', { endpoint, registrations: 1 });
    const lines: Record<string, unknown>[] = [];
    const w = await worker({ endpoint, logLines: lines });
    await w.integration.start();
    await until(() => fake.callsTo('register').length >= 3, 10_000, 'registration retried');
    expect(w.integration.status().registrationProblem).toMatchObject({ code: 'BACKEND_ENDPOINT_CONFLICT', message: expect.stringContaining('worker-old') });
    expect(problemLines(lines, 'BACKEND_ENDPOINT_CONFLICT')).toHaveLength(1);
    fake.forget('worker-old');
    await until(() => w.integration.status().registered, 10_000, 'registered once the other worker is removed');
    expect(w.integration.status().registrationProblem).toBeNull();
  });

  it('409, this worker id is registered with another endpoint: BACKEND_WORKER_ID_CONFLICT naming the endpoint the backend has', async () => {
    await realistic({ conflicts: true });
    fake.workers.set('worker-w1', { endpoint: 'http://10.0.0.9:3001', registrations: 1 });
    const w = await worker({ endpoint: await healthEndpoint() });
    await w.integration.start();
    await until(() => fake.callsTo('register').length >= 2, 10_000, 'registration retried');
    expect(w.integration.status().registrationProblem).toMatchObject({ code: 'BACKEND_WORKER_ID_CONFLICT', message: expect.stringContaining('WORKER_ENDPOINT=http://10.0.0.9:3001') });
  });
});
