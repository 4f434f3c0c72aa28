/**
 * The supervisor's promises with real parts: the compiled supervisor as its own process, real
 * session hosts running real Baileys against the WhatsApp simulator, real signals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshotStore } from '../../src/storage/index.js';
import { RegistryFile } from '../../supervisor/registry/registry-file.js';
import { pair, pollHealth } from '../integration/support/world.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { alive, waitFor } from './support/journal.js';
import { hostPidsOf, startSupervisorProcess, type SupervisorProcess } from './support/processes.js';
import { freePort } from '../support/free-port.js';

const tag = Math.random().toString(36).slice(2, 8);
const ids = [`rh1_${tag}`, `rh2_${tag}`, `rh3_${tag}`];
const phones = ['15550007001', '15550007002', '15550007003'];

let sim: WaSim;
let dataDir: string;
const supervisors: SupervisorProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'sup-real-'));
});

afterAll(async () => {
  for (const s of supervisors) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  for (const id of ids) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function supervisor(port: number): SupervisorProcess {
  const s = startSupervisorProcess({
    port,
    execArgv: ['--import', sim.preloadPath],
    env: {
      ...sim.childEnv(),
      DATA_DIR: dataDir,
      WA_WEBSOCKET_URL: sim.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      HOST_STOP_TIMEOUT_MS: '8000',
      RECOVERY_TIMEOUT: '45000',
      RECOVERY_CONCURRENCY: '3',
    },
  });
  supervisors.push(s);
  return s;
}

function allConnected(s: SupervisorProcess, timeoutMs: number): Promise<Record<string, any>> {
  return pollHealth(s, (h) => h.sessions?.byStatus?.connected === ids.length && h.recovery?.phase === 'done', timeoutMs, 'every session connected and recovery done');
}

const onePid = (id: string): number | undefined => {
  const pids = hostPidsOf(id);
  return pids.length === 1 ? pids[0] : undefined;
};

describe('supervisor with real session hosts on the simulator', () => {
  it('recovers without QR, restarts a kill -9ed host alone, shuts down without logout, leaves no orphans', async () => {
    await Promise.all(ids.map((id, i) => pair(sim, dataDir, id, phones[i]!)));
    const qrRounds = sim.qrCount();
    await new RegistryFile(dataDir).save(ids.map((sessionId) => ({ sessionId, userId: null, name: null, createdAt: new Date().toISOString(), desired: 'running', ended: null })));

    // ---- start: every session recovered, connected, no QR.
    const a = supervisor(await freePort());
    const h1 = await allConnected(a, 90_000);
    expect(h1.recovery).toMatchObject({ total: 3, recovered: 3, failed: 0 });
    expect(sim.qrCount()).toBe(qrRounds);
    const pids = ids.map((id) => onePid(id));
    expect(pids.every((p) => p !== undefined)).toBe(true);

    // ---- kill -9 one host of three: back to connected without a QR; the others keep their pids.
    process.kill(pids[0]!, 'SIGKILL');
    const newPid = await waitFor(() => {
      const p = onePid(ids[0]!);
      return p !== undefined && p !== pids[0] ? p : undefined;
    }, 20_000, 'a new host for the killed session');
    await pollHealth(a, (h) => h.sessions?.byStatus?.connected === 3, 45_000, 'three sessions connected');
    expect(newPid).not.toBe(pids[0]);
    expect(onePid(ids[1]!)).toBe(pids[1]);
    expect(onePid(ids[2]!)).toBe(pids[2]);
    expect(sim.qrCount()).toBe(qrRounds);

    // ---- SIGTERM: every host flushes and exits, nothing is logged out, exit 0.
    const store = createSnapshotStore({ driver: 'local', dataDir }, { workerId: 'inspector', encryptionKeys: [], timeoutMs: 5000 });
    const before = await Promise.all(ids.map((id) => store.headGeneration(id)));
    // A first message from a new contact writes a new Signal session in every host (the delivery
    // receipt comes after the write): unsaved auth state, inside the 2 s upload debounce, that
    // only the shutdown flush can publish.
    await Promise.all(phones.map((phone, i) => sim.deliverText(`1555770${i}990`, phone, 'just before shutdown')));
    const livePids = ids.map((id) => onePid(id)!);
    a.child.kill('SIGTERM');
    const exitA = await a.exited;
    expect(exitA).toEqual({ code: 0, signal: null });
    for (const pid of livePids) expect(alive(pid)).toBe(false);
    const after = await Promise.all(ids.map((id) => store.headGeneration(id)));
    for (let i = 0; i < ids.length; i++) expect(after[i]!, ids[i]).toBeGreaterThan(before[i]!);
    const devices = sim.devices();
    for (const phone of phones) expect(devices.some((d) => d.phone === phone)).toBe(true); // still linked
    expect((await new RegistryFile(dataDir).load()).map((e) => e.desired)).toEqual(['running', 'running', 'running']);

    // ---- restart: every session recovered again, still no QR.
    const b = supervisor(await freePort());
    const h2 = await allConnected(b, 90_000);
    expect(h2.recovery).toMatchObject({ total: 3, recovered: 3 });
    expect(sim.qrCount()).toBe(qrRounds);

    // ---- SIGKILL the supervisor: no host left after 5 s (orphan guard).
    const orphans = ids.map((id) => onePid(id)!);
    b.child.kill('SIGKILL');
    await b.exited;
    await new Promise((r) => setTimeout(r, 5000));
    for (const pid of orphans) expect(alive(pid)).toBe(false);
    for (const id of ids) expect(hostPidsOf(id)).toEqual([]);
  }, 300_000);

  it('a second signal during shutdown kills every host at once and exits 143', async () => {
    const fresh = [`q1_${tag}`, `q2_${tag}`];
    const dir = mkdtempSync(join(tmpdir(), 'sup-real2-'));
    try {
      // Unpaired sessions: their hosts boot, find no auth and wait with a QR — enough to be killed.
      await new RegistryFile(dir).save(fresh.map((sessionId) => ({ sessionId, userId: null, name: null, createdAt: new Date().toISOString(), desired: 'running', ended: null })));
      const port = await freePort();
      const s = startSupervisorProcess({
        port,
        execArgv: ['--import', sim.preloadPath],
        env: { ...sim.childEnv(), DATA_DIR: dir, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'warn', HOST_STOP_TIMEOUT_MS: '20000' },
      });
      supervisors.push(s);
      const h = await pollHealth(s, (x) => x.recovery?.phase === 'done', 60_000, 'recovery done');
      expect(h.recovery).toMatchObject({ total: 2, failed: 2 });
      const pids = fresh.map((id) => onePid(id)!);
      expect(pids.every((p) => p !== undefined)).toBe(true);
      // A frozen host cannot answer IPC stop: a graceful shutdown would wait HOST_STOP_TIMEOUT_MS for it.
      process.kill(pids[0]!, 'SIGSTOP');
      const t0 = Date.now();
      s.child.kill('SIGTERM');
      // Standard signals coalesce: send the second only once the first is being handled.
      await pollHealth(s, (x) => x.status === 'shutting_down', 10_000, 'shutting down');
      s.child.kill('SIGTERM');
      expect(await s.exited).toEqual({ code: 143, signal: null });
      await waitFor(() => pids.every((p) => !alive(p)), 3000, 'hosts killed');
      expect(Date.now() - t0).toBeLessThan(10_000); // far below the 20 s stop deadline
    } finally {
      for (const id of fresh) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
