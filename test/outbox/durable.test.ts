/**
 * The durable outbox against a real supervisor process (the production `startSupervisor` with
 * scripted fixture hosts, test/fixtures/supervisor/main.ts) and the strict fake backend:
 *
 * - events queued while the backend refuses them survive a SIGKILL of the supervisor; after a
 *   restart (with the backend fully down) and the backend's recovery, every event arrives, and
 *   de-duplicating by Idempotency-Key yields each exactly once;
 * - an event the backend rejects (4xx) lands in the dead-letter store, is listed by
 *   `GET /api/events/dead-letters` and delivered by `POST /api/events/dead-letters/replay`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from '../fake-backend/server.js';
import { DIST } from '../supervisor/support/build.js';
import { alive } from '../supervisor/support/journal.js';
import { getHealth, hostPidsOf, startSupervisorProcess, type SupervisorProcess } from '../supervisor/support/processes.js';
import { freePort } from '../support/free-port.js';

const TOKEN = 'outbox-token-1f2e3d';
const tag = Math.random().toString(36).slice(2, 8);
const WORKER = `obx-${tag}`;
const SESSIONS = [`ob1_${tag}`, `ob2_${tag}`];
const MESSAGES = 3;
const MAIN = join(DIST, 'test', 'fixtures', 'supervisor', 'main.js');

const procs: SupervisorProcess[] = [];
const fakes: FakeBackend[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const f of fakes.splice(0)) await f.close();
  for (const id of SESSIONS) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(port: number, dataDir: string, backendUrl: string, script: Record<string, unknown>): SupervisorProcess {
  const p = startSupervisorProcess({
    port,
    main: MAIN,
    env: {
      DATA_DIR: dataDir,
      BACKEND_URL: backendUrl,
      BACKEND_PROFILE: 'seed',
      WORKER_ID: WORKER,
      WORKER_AUTH_TOKEN: TOKEN,
      WORKER_ENDPOINT: `http://127.0.0.1:${port}`,
      HEARTBEAT_INTERVAL: '1000',
      HEARTBEAT_TIMEOUT: '900',
      ASSIGNMENT_POLL_INTERVAL: '1000',
      BACKEND_TIMEOUT: '1000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      FIXTURE_SCRIPT: JSON.stringify(script),
    },
  });
  procs.push(p);
  return p;
}

async function health(p: SupervisorProcess, test: (h: Record<string, any>) => boolean, what: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  const end = Date.now() + timeoutMs;
  let last: Record<string, any> | undefined;
  for (;;) {
    last = await getHealth(p.url);
    if (last && test(last)) return last;
    if (p.child.exitCode !== null) throw new Error(`supervisor exited (${p.child.exitCode}):\n${p.output.join('').slice(-3000)}`);
    if (Date.now() > end) throw new Error(`${what}: last health ${JSON.stringify(last?.events ?? last)}\n${p.output.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function api(p: SupervisorProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.json() };
}

const messageKeys = SESSIONS.flatMap((s) => Array.from({ length: MESSAGES }, (_, i) => `${s}:IN-${s}-${i + 1}`)).sort();

describe('durable outbox across a supervisor SIGKILL', () => {
  it('delivers every queued event after kill -9, restart with the backend down, and recovery; each key exactly once after de-duplication', async () => {
    const backendPort = await freePort();
    const fake = await FakeBackend.start({ profile: 'seed', token: TOKEN, port: backendPort });
    fakes.push(fake);
    fake.setAssignments(WORKER, SESSIONS.map((sessionId) => ({ sessionId })));
    // The backend is up for registration and assignments, but refuses every event (503).
    for (const route of ['session-status', 'messages', 'message-status'] as const) fake.fail(route, 503, 1_000_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'obx-'));
    dirs.push(dataDir);

    const first = start(await freePort(), dataDir, fake.url, { '*': { incoming: MESSAGES } });
    const queued = await health(first, (h) => (h.events?.lanes?.['backend:messages']?.pending ?? 0) >= SESSIONS.length * MESSAGES, 'messages queued in the outbox');
    expect(queued.events.lanes['backend:session-status'].pending).toBeGreaterThan(0);
    const statusesBefore = queued.events.lanes['backend:session-status'].pending as number;
    const hosts = SESSIONS.flatMap((id) => hostPidsOf(id));
    // The backend goes down completely, then the supervisor is killed at once: no flush, no goodbye.
    await fake.close();
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await expect.poll(() => hosts.filter(alive), { timeout: 10_000 }).toEqual([]);

    // Restart while the backend is still down; these hosts report no messages of their own, so
    // whatever reaches the backend below came from DATA_DIR/outbox.sqlite.
    const second = start(await freePort(), dataDir, fake.url, { '*': { incoming: 0 } });
    const resumed = await health(second, (h) => (h.events?.lanes?.['backend:messages']?.pending ?? 0) === SESSIONS.length * MESSAGES, 'outbox reloaded after SIGKILL');
    expect(resumed.events.lanes['backend:session-status'].pending).toBeGreaterThanOrEqual(statusesBefore);
    expect(fake.callsTo('messages').filter((c) => c.status === 200)).toEqual([]);

    // The backend recovers: same port, failures gone; the first message is rejected (422) until
    // it becomes a dead letter, which an operator then replays through the API.
    for (const route of ['session-status', 'messages', 'message-status'] as const) fake.heal(route);
    fake.fail('messages', 422, 3);
    await fake.listen(backendPort);
    await health(second, (h) => h.events?.pending === 0 && h.events?.dead === 1, 'everything delivered but one dead letter', 30_000);

    const dead = await api(second, 'GET', '/api/events/dead-letters');
    expect(dead.status).toBe(200);
    expect(dead.body.data.total).toBe(1);
    expect(dead.body.data.deadLetters[0]).toMatchObject({ sink: 'backend', kind: 'messages', attempts: 3, lastError: 'HTTP 422' });
    const deadKey = dead.body.data.deadLetters[0].idempotencyKey as string;
    expect(messageKeys).toContain(deadKey);
    const replay = await api(second, 'POST', '/api/events/dead-letters/replay', { ids: [dead.body.data.deadLetters[0].id] });
    expect(replay).toMatchObject({ status: 200, body: { data: { replayed: 1 } } });
    await health(second, (h) => h.events?.pending === 0 && h.events?.dead === 0, 'dead letter replayed');

    const messages = fake.deduplicated('messages');
    expect(messages.unique.map((c) => c.idempotencyKey).sort()).toEqual(messageKeys);
    expect(messages.unique.map((c) => (c.body as { messages: { id: string }[] }).messages[0]!.id).sort()).toEqual(messageKeys.map((k) => k.split(':')[1]).sort());
    // At least once: nothing was accepted before the kill, so nothing arrives twice here.
    expect(messages.duplicates).toBe(0);
    const statuses = fake.deduplicated('session-status');
    expect(statuses.duplicates).toBe(0);
    expect(statuses.unique.length).toBeGreaterThanOrEqual(statusesBefore);
    // Per session, in order: the first run's statuses (from the outbox), then the second run's.
    for (const id of SESSIONS) {
      const seq = statuses.unique.filter((c) => (c.body as { sessionId: string }).sessionId === id).map((c) => (c.body as { event: string }).event);
      expect(seq[0]).toBe('starting');
      expect(seq.filter((e) => e === 'connected')).toHaveLength(2);
      expect(seq.filter((e) => e === 'recovery_successful')).toHaveLength(2);
    }
    expect(fake.invalidCalls()).toEqual([]);
    expect((await api(second, 'GET', '/api/events/dead-letters')).body.data).toEqual({ deadLetters: [], total: 0 });
  }, 90_000);
});
