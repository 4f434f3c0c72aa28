/**
 * The worker in backend mode, end to end with real parts: the compiled supervisor as its own
 * process, real session hosts running real Baileys against the WhatsApp simulator, and the strict
 * fake backend (both contract profiles) on 127.0.0.1. Register → assignments → hosts start →
 * the one recovery report is accepted → heartbeats carry the true statuses and phone numbers →
 * events reach the webhooks → SIGTERM stops everything and never unregisters. A start while the
 * backend is down recovers from the cached assignments and catches up when it returns.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeBackend } from '../fake-backend/server.js';
import { valueOf } from '../metrics/exposition.js';
import { DIST } from '../supervisor/support/build.js';
import { alive } from '../supervisor/support/journal.js';
import { hostPidsOf, type SupervisorProcess } from '../supervisor/support/processes.js';
import { freePort } from '../support/free-port.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { bodyOf, pair, pollHealth, scrapeMetrics, startWorker, TOKEN } from './support/world.js';

const tag = Math.random().toString(36).slice(2, 8);
const WORKER = `itw-${tag}`;
const ids = [`bk1_${tag}`, `bk2_${tag}`];
const phones = ['15550008001', '15550008002'];
const assignments = [
  { sessionId: ids[0]!, userId: 'user-a', name: 'Shop A' },
  { sessionId: ids[1]!, userId: 'user-b', name: null },
];

let sim: WaSim;
let dataDir: string;
let qrRounds = 0;
const fakes: FakeBackend[] = [];
const workers: SupervisorProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'itw-'));
  await Promise.all(ids.map((id, i) => pair(sim, dataDir, id, phones[i]!)));
  qrRounds = sim.qrCount();
}, 90_000);

afterEach(async () => {
  for (const w of workers.splice(0)) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  for (const f of fakes.splice(0)) await f.close();
});

afterAll(async () => {
  for (const id of ids) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function fakeBackend(profile: 'seed' | 'whatsam', port?: number): Promise<FakeBackend> {
  const fake = await FakeBackend.start({ profile, token: TOKEN, ...(port === undefined ? {} : { port }) });
  fake.setAssignments(WORKER, assignments);
  fakes.push(fake);
  return fake;
}

function worker(port: number, backendUrl: string, profile: 'seed' | 'whatsam'): SupervisorProcess {
  const w = startWorker(sim, { port, dataDir, env: { BACKEND_URL: backendUrl, BACKEND_PROFILE: profile, WORKER_ID: WORKER } });
  workers.push(w);
  return w;
}

/** SIGTERM: exit 0, every host gone, nothing logged out (the simulator still lists both devices). */
async function stopGracefully(w: SupervisorProcess): Promise<void> {
  const pids = ids.flatMap((id) => hostPidsOf(id));
  expect(pids).toHaveLength(ids.length);
  w.child.kill('SIGTERM');
  expect(await w.exited).toEqual({ code: 0, signal: null });
  for (const pid of pids) expect(alive(pid)).toBe(false);
  for (const phone of phones) expect(sim.devices().some((d) => d.phone === phone)).toBe(true);
}

const connectedBeat = (statusOf: string) => (c: { route: string | null; status: number; body: unknown }): boolean => {
  if (c.route !== 'heartbeat' || c.status !== 200) return false;
  const sessions = (bodyOf(c).sessions ?? []) as { sessionId: string; status: string; phoneNumber?: string }[];
  return ids.every((id, i) => sessions.some((s) => s.sessionId === id && s.status === statusOf && s.phoneNumber === phones[i]));
};

describe('supervisor in backend mode with real hosts and the strict fake backend', () => {
  it('seed: registers, recovers its assignments, reports once, heartbeats the truth, forwards events, stops without unregistering', async () => {
    const fake = await fakeBackend('seed');
    const port = await freePort();
    const w = worker(port, fake.url, 'seed');

    // The one recovery report, accepted by the strict validator, with both sessions recovered.
    const report = await fake.waitFor((c) => c.route === 'recovery', 90_000);
    expect(report).toMatchObject({ status: 200, valid: true, workerIdHeader: WORKER, authorization: `Bearer ${TOKEN}` });
    const recovered = bodyOf(report).recoveredSessions as Record<string, unknown>[];
    expect(bodyOf(report).failedSessions).toEqual([]);
    expect(recovered).toHaveLength(2);
    for (const [i, id] of ids.entries()) expect(recovered).toContainEqual({ sessionId: id, status: 'connected', phoneNumber: phones[i] });
    // register → assignments → report, in that order.
    const first = (route: string): number => fake.calls.findIndex((c) => c.route === route);
    expect(first('register')).toBeGreaterThanOrEqual(0);
    expect(first('register')).toBeLessThan(first('assigned'));
    expect(first('assigned')).toBeLessThan(first('recovery'));
    expect(bodyOf(fake.callsTo('register')[0]!)).toMatchObject({ workerId: WORKER, endpoint: `http://127.0.0.1:${port}`, status: 'online' });

    // A heartbeat with the true session views and real machine numbers.
    const beat = bodyOf(await fake.waitFor(connectedBeat('connected'), 20_000));
    expect(beat.sessions).toContainEqual({ sessionId: ids[0], status: 'connected', phoneNumber: phones[0], lastActivity: expect.any(String), isRecovered: true, userId: 'user-a' });
    expect(beat.sessions).toContainEqual({ sessionId: ids[1], status: 'connected', phoneNumber: phones[1], lastActivity: expect.any(String), isRecovered: true, userId: 'user-b' });
    expect(beat.metrics.sessionCount).toBe(2);
    expect(beat.metrics.memoryUsage).toBeGreaterThan(0);
    expect(beat.metrics.memoryUsage).toBeLessThanOrEqual(100);
    expect(beat.metrics.cpuUsage).toBeGreaterThanOrEqual(0);
    expect(beat.recoveryStats).toMatchObject({ total: 2, recovered: 2, connected: 2, failed: 0 });

    // Session events reach the webhooks: recovery results, status changes, incoming messages.
    for (const id of ids) {
      await fake.waitFor((c) => c.route === 'session-status' && bodyOf(c).sessionId === id && bodyOf(c).event === 'recovery_successful', 10_000);
      await fake.waitFor((c) => c.route === 'session-status' && bodyOf(c).sessionId === id && bodyOf(c).event === 'connected', 10_000);
    }
    await sim.deliverText('15550009999', phones[0]!, `hello ${tag}`);
    const inbound = await fake.waitFor((c) => c.route === 'messages' && (bodyOf(c).messages as { text?: string }[]).some((m) => m.text === `hello ${tag}`), 20_000);
    expect(bodyOf(inbound)).toMatchObject({ sessionId: ids[0], workerId: WORKER });

    // What an operator sees: the backend in /health, heartbeats and request durations in /metrics.
    const health = await pollHealth(w, (h) => h.backend?.heartbeats?.sent >= 1, 10_000, 'heartbeat in health');
    expect(health).toMatchObject({ mode: 'backend', backendProfile: 'seed', recovery: { phase: 'done', recovered: 2 } });
    expect(health.backend).toMatchObject({ reachable: true, registered: true, degraded: false, recoveryReported: true, assignments: { source: 'backend', count: 2 } });
    const metrics = await scrapeMetrics(w.url);
    expect(valueOf(metrics, 'wa_heartbeats_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(metrics, 'wa_backend_request_duration_seconds_count', { route: 'register', status: '200' })).toBe(1);
    expect(valueOf(metrics, 'wa_backend_request_duration_seconds_count', { route: 'recovery-report', status: '200' })).toBe(1);
    expect(valueOf(metrics, 'wa_recovery_results_total', { result: 'recovered', reason: 'none' })).toBe(2);
    expect(valueOf(metrics, 'wa_host_starts_total')).toBe(2);
    expect(valueOf(metrics, 'wa_messages_total', { direction: 'in', type: 'text', result: 'ok' })).toBe(1);

    await stopGracefully(w);
    expect(sim.qrCount()).toBe(qrRounds);
    expect(fake.callsTo('register')).toHaveLength(1);
    expect(fake.callsTo('recovery')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    expect(fake.invalidCalls()).toEqual([]);
  }, 120_000);

  it('seed: starts degraded from the cached assignments while the backend is down, then catches up', async () => {
    const backendPort = await freePort();
    const w = worker(await freePort(), `http://127.0.0.1:${backendPort}`, 'seed');
    // Nothing listens on the backend's port: the sessions come from DATA_DIR's assignment cache.
    const down = await pollHealth(w, (h) => h.sessions?.byStatus?.connected === 2 && h.recovery?.phase === 'done', 60_000, 'recovered from cache');
    expect(down.backend).toMatchObject({ reachable: false, registered: false, degraded: true, assignments: { source: 'cache', count: 2 } });
    expect(down.recovery).toMatchObject({ total: 2, recovered: 2 });

    const fake = await fakeBackend('seed', backendPort);
    const report = await fake.waitFor((c) => c.route === 'recovery', 30_000);
    expect(report).toMatchObject({ status: 200, valid: true });
    expect(bodyOf(report).recoveredSessions).toHaveLength(2);
    // Events from the degraded stretch were held until registration, then delivered (not rejected).
    for (const id of ids) await fake.waitFor((c) => c.route === 'session-status' && bodyOf(c).sessionId === id && bodyOf(c).event === 'recovery_successful', 10_000);
    expect(fake.callsTo('session-status').every((c) => c.at >= fake.callsTo('register')[0]!.at)).toBe(true);
    await fake.waitFor(connectedBeat('connected'), 20_000);
    const up = await pollHealth(w, (h) => h.backend?.degraded === false, 20_000, 'caught up');
    expect(up.backend).toMatchObject({ reachable: true, registered: true, recoveryReported: true, assignments: { source: 'backend', count: 2 } });

    await stopGracefully(w);
    expect(sim.qrCount()).toBe(qrRounds);
    expect(fake.callsTo('recovery')).toHaveLength(1);
    expect(fake.invalidCalls()).toEqual([]);
  }, 120_000);

  it('whatsam: same flow in its shapes; SIGTERM never unregisters, only the operator command does', async () => {
    const fake = await fakeBackend('whatsam');
    const w = worker(await freePort(), fake.url, 'whatsam');

    const report = await fake.waitFor((c) => c.route === 'recovery', 90_000);
    expect(report).toMatchObject({ status: 200, valid: true, path: `/api/workers/${WORKER}/sessions/recovery-status` });
    expect(bodyOf(report)).toMatchObject({ totalSessions: 2, successfulRecoveries: 2, failedRecoveries: 0 });
    for (const id of ids) expect(bodyOf(report).recoveryResults).toContainEqual({ sessionId: id, status: 'SUCCESS', recoveredAt: expect.any(String) });
    const beat = bodyOf(await fake.waitFor(connectedBeat('CONNECTED'), 20_000));
    expect(beat.metrics).toMatchObject({ totalSessions: 2, activeSessions: 2 });
    await fake.waitFor((c) => c.route === 'session-status' && bodyOf(c).sessionId === ids[1] && bodyOf(c).status === 'CONNECTED', 10_000);

    await stopGracefully(w);
    expect(fake.callsTo('unregister')).toEqual([]);
    expect(fake.workers.has(WORKER)).toBe(true); // the backend still holds this worker and its sessions
    expect(fake.invalidCalls()).toEqual([]);

    // Decommissioning is an explicit operator command (`npm run unregister -- --yes`).
    const env = { ...process.env, DATA_DIR: dataDir, BACKEND_URL: fake.url, BACKEND_PROFILE: 'whatsam', WORKER_AUTH_TOKEN: TOKEN, WORKER_ID: WORKER, LOG_LEVEL: 'warn' };
    // Asynchronous: the fake backend answers from this very process.
    const { stdout: out } = await promisify(execFile)(process.execPath, [join(DIST, 'supervisor', 'backend', 'unregister-cli.js'), '--yes'], { env, encoding: 'utf8', timeout: 20_000 });
    expect(out).toContain(`worker ${WORKER} unregistered`);
    expect(fake.callsTo('unregister')).toMatchObject([{ status: 200, valid: true }]);
    expect(fake.workers.has(WORKER)).toBe(false);
  }, 120_000);
});
