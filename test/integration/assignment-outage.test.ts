/**
 * Issue 13 §6: a bad assignments answer changes nothing. The compiled supervisor in backend mode
 * (real hosts, real Baileys against the simulator, the strict fake backend): while both sessions
 * are connected, the assignments call answers once with an ingress's HTML 404 page, then the normal
 * list again. No host stops, no session leaves `connected`, the assignment cache keeps both.
 * Then the backend's own "none assigned" (its JSON 404 envelope): one answer changes nothing either;
 * the second in a row releases both sessions (stopped, never logged out).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBackend } from '../fake-backend/server.js';
import { hostPidsOf, type SupervisorProcess } from '../supervisor/support/processes.js';
import { freePort } from '../support/free-port.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { bodyOf, pair, pollHealth, startWorker, TOKEN } from './support/world.js';

const tag = Math.random().toString(36).slice(2, 8);
const WORKER = `ito-${tag}`;
const ids = [`ao1_${tag}`, `ao2_${tag}`];
const phones = ['15550008101', '15550008102'];

let sim: WaSim;
let dataDir: string;
let fake: FakeBackend;
let w: SupervisorProcess | undefined;

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'ito-'));
  await Promise.all(ids.map((id, i) => pair(sim, dataDir, id, phones[i]!)));
  fake = await FakeBackend.start({ profile: 'seed', token: TOKEN });
  fake.setAssignments(WORKER, ids.map((sessionId) => ({ sessionId, userId: 'user-o', name: null })));
}, 90_000);

afterAll(async () => {
  if (w && w.child.exitCode === null) w.child.kill('SIGKILL');
  for (const id of ids) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  await fake?.close();
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const allConnected = (h: Record<string, any>): boolean => h.sessions?.byStatus?.connected === ids.length;
const cachedIds = (): string[] => (JSON.parse(readFileSync(join(dataDir, 'backend', 'assignments.json'), 'utf8')) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId).sort();
const assignedCalls = (): number => fake.callsTo('assigned').length;

describe('assignments answers that are not the backend saying "none"', () => {
  it('one HTML 404 from a proxy, then the normal list: no session stops, the cache keeps both', async () => {
    const port = await freePort();
    w = startWorker(sim, { port, dataDir, env: { BACKEND_URL: fake.url, BACKEND_PROFILE: 'seed', WORKER_ID: WORKER, ASSIGNMENT_POLL_INTERVAL: '1000' } });
    await pollHealth(w, allConnected, 60_000, 'both sessions connected');
    const pids = ids.map((id) => hostPidsOf(id));
    for (const p of pids) expect(p).toHaveLength(1);

    const before = assignedCalls();
    fake.failWithPage('assigned', 404);
    const page = await fake.waitFor((c) => c.route === 'assigned' && c.status === 404, 15_000);
    expect(page.status).toBe(404);
    // Two normal answers after the page: a release would have happened by now.
    await fake.waitFor(() => assignedCalls() >= before + 3, 15_000);
    await pollHealth(w, allConnected, 5_000, 'still connected');
    expect(ids.map((id) => hostPidsOf(id))).toEqual(pids);
    expect(cachedIds()).toEqual([...ids].sort());
    const stops = fake.callsTo('session-status').filter((c) => ['disconnected', 'logged_out'].includes(bodyOf(c).status as string));
    expect(stops).toEqual([]);
    expect(fake.invalidCalls()).toEqual([]);
  }, 120_000);

  it("the backend's own 404 envelope: once changes nothing, twice in a row releases (stop, no logout)", async () => {
    if (!w) throw new Error('needs the worker of the first test');
    const pids = ids.map((id) => hostPidsOf(id));
    const before = assignedCalls();
    fake.fail('assigned', 404, 1); // JSON envelope, once
    await fake.waitFor((c) => c.route === 'assigned' && c.status === 404 && fake.callsTo('assigned').indexOf(c) >= before, 15_000);
    await fake.waitFor(() => assignedCalls() >= before + 3, 15_000);
    await pollHealth(w, allConnected, 5_000, 'still connected after one envelope 404');
    expect(ids.map((id) => hostPidsOf(id))).toEqual(pids);

    fake.clearAssignments(WORKER); // the backend now really has none: its envelope 404 on every call
    await pollHealth(w, (h) => (h.sessions?.total ?? -1) === 0, 20_000, 'both released');
    for (const id of ids) expect(hostPidsOf(id)).toEqual([]);
    for (const phone of phones) expect(sim.devices().some((d) => d.phone === phone)).toBe(true);
    expect(cachedIds()).toEqual([]);
    expect(fake.invalidCalls()).toEqual([]);
  }, 60_000);
});
