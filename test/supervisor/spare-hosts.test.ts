/**
 * Pre-booted spare hosts (issue 15, HOST_SPARES) with real parts: the compiled supervisor as its
 * own process, real Baileys hosts on the WhatsApp simulator, real signals.
 *   - spares wait as `wa-host-spare` children of the supervisor;
 *   - a kill -9 restarts the session on a spare (the new host's pid was a spare's), without a QR,
 *     and the pool refills; /metrics shows the pool and counts starts by source (spare, fork);
 *   - a kill -9 of a spare touches no session and counts no restart: the spare is only replaced;
 *   - a SIGKILLed supervisor leaves no spare behind; a graceful stop ends them too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryFile } from '../../supervisor/registry/registry-file.js';
import { pair, pollHealth as pollSupervisorHealth } from '../integration/support/world.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { alive, waitFor } from './support/journal.js';
import { hostPidsOf, sparePids, startSupervisorProcess, type SupervisorProcess } from './support/processes.js';
import { freePort } from '../support/free-port.js';
import { valueOf } from '../metrics/exposition.js';
import { duplicateKeys } from '../support/json-lines.js';

const tag = Math.random().toString(36).slice(2, 8);
const ids = [`sp1_${tag}`, `sp2_${tag}`];
const phones = ['15550008101', '15550008102'];

let sim: WaSim;
let dataDir: string;
let sup: SupervisorProcess;

const onePid = (id: string): number | undefined => {
  const pids = hostPidsOf(id);
  return pids.length === 1 ? pids[0] : undefined;
};

const metricsText = async (): Promise<string> => (await fetch(`${sup.url}/metrics`)).text();

const pollHealth = (test: (h: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<Record<string, any>> => pollSupervisorHealth(sup, test, timeoutMs, what);

async function sessionView(id: string): Promise<Record<string, any>> {
  const res = await fetch(`${sup.url}/api/sessions/${id}`);
  return ((await res.json()) as { data: Record<string, any> }).data;
}

const logLines = (msg: string): Record<string, any>[] =>
  sup.output
    .join('')
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'sup-spares-'));
  await Promise.all(ids.map((id, i) => pair(sim, dataDir, id, phones[i]!)));
  await new RegistryFile(dataDir).save(ids.map((sessionId) => ({ sessionId, userId: null, name: null, createdAt: new Date().toISOString(), desired: 'running', ended: null })));
  sup = startSupervisorProcess({
    port: await freePort(),
    execArgv: ['--import', sim.preloadPath],
    env: { ...sim.childEnv(), DATA_DIR: dataDir, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'info', HOST_STOP_TIMEOUT_MS: '8000', HOST_SPARES: '2' },
  });
}, 180_000);

afterAll(async () => {
  if (sup && sup.child.exitCode === null && sup.child.signalCode === null) sup.child.kill('SIGKILL');
  for (const id of ids) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('spare session hosts (HOST_SPARES)', () => {
  it('recovers every session, then keeps two spares waiting as wa-host-spare children of the supervisor', async () => {
    await pollHealth((h) => h.sessions?.byStatus?.connected === 2 && h.recovery?.phase === 'done', 90_000, 'recovered');
    const h = await pollHealth((x) => x.spares?.ready === 2, 60_000, 'two spares ready');
    expect(h.spares).toMatchObject({ wanted: 2, ready: 2, booting: 0, latched: false });
    expect(sparePids(sup.child.pid!)).toHaveLength(2);
    // The pool in /metrics; the recovery's starts came before the first spare was ready: forks.
    const metrics = await metricsText();
    expect(valueOf(metrics, 'wa_spare_hosts', { state: 'ready' })).toBe(2);
    expect(valueOf(metrics, 'wa_spare_hosts', { state: 'booting' })).toBe(0);
    expect(valueOf(metrics, 'wa_spare_hosts_wanted')).toBe(2);
    expect(valueOf(metrics, 'wa_host_starts_by_source_total', { source: 'fork' })).toBe(2);
    expect(valueOf(metrics, 'wa_host_starts_by_source_total', { source: 'spare' })).toBe(0);
  }, 180_000);

  it('kill -9 of a host: the session restarts on a spare, connected again without a QR; the pool refills', async () => {
    const qrRounds = sim.qrCount();
    const spares = sparePids(sup.child.pid!);
    const [victim, other] = ids as [string, string];
    const victimPid = onePid(victim)!;
    const otherPid = onePid(other)!;
    const t0 = Date.now();
    process.kill(victimPid, 'SIGKILL');
    const fresh = await waitFor(() => {
      const p = onePid(victim);
      return p !== undefined && p !== victimPid ? p : undefined;
    }, 20_000, 'a new host for the killed session');
    // The faster path: the new host is a process that was already running as a spare.
    expect(spares).toContain(fresh);
    await pollHealth((h) => h.sessions?.byStatus?.connected === 2, 45_000, 'connected again');
    console.log(`[spares] kill -9 → connected through a spare in ${Date.now() - t0} ms`);
    const view = await sessionView(victim);
    expect(view).toMatchObject({ status: 'connected', pid: fresh, restarts: 1 });
    expect(onePid(other)).toBe(otherPid);
    expect(sim.qrCount()).toBe(qrRounds);
    const started = logLines('session host started').filter((l) => l.sessionId === victim && l.hostPid === fresh);
    expect(started).toMatchObject([{ spare: true }]);
    expect(logLines('session host ready').filter((l) => l.hostPid === fresh && l.name === 'wa-supervisor')).toMatchObject([{ spare: true }]);
    const metrics = await metricsText();
    expect(valueOf(metrics, 'wa_host_starts_by_source_total', { source: 'spare' })).toBe(1);
    expect(valueOf(metrics, 'wa_host_starts_by_source_total', { source: 'fork' })).toBe(2);
    // Refilled off the hot path: two spares again, the taken one replaced by a new process.
    await pollHealth((h) => h.spares?.ready === 2, 60_000, 'pool refilled');
    const now = sparePids(sup.child.pid!);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(fresh);
  }, 120_000);

  it('kill -9 of a spare touches no session and is no restart: the spare is only replaced', async () => {
    const before = await Promise.all(ids.map((id) => sessionView(id)));
    const [spare] = sparePids(sup.child.pid!);
    process.kill(spare!, 'SIGKILL');
    await waitFor(() => !alive(spare!), 5000, 'the spare gone');
    await pollHealth((h) => h.spares?.ready === 2 && !sparePids(sup.child.pid!).includes(spare!), 60_000, 'spare replaced');
    const after = await Promise.all(ids.map((id) => sessionView(id)));
    for (let i = 0; i < ids.length; i++) expect(after[i]).toMatchObject({ status: 'connected', pid: before[i]!.pid, restarts: before[i]!.restarts });
    const metrics = await (await fetch(`${sup.url}/metrics`)).text();
    const restarts = metrics.split('\n').filter((l) => l.startsWith('wa_host_restarts_total')).map((l) => Number(l.split(' ').pop()));
    expect(restarts.reduce((a, b) => a + b, 0)).toBe(1); // the kill -9 of the host above, nothing more
  }, 120_000);

  it('its log lines name each key once: a host\'s pid is hostPid, beside the supervisor\'s own pid', () => {
    const lines = sup.output.join('').split('\n').filter((l) => l.startsWith('{'));
    expect(lines.some((l) => l.includes('"msg":"spare host ready"'))).toBe(true);
    expect(lines.map((l) => ({ msg: (JSON.parse(l) as { msg?: string }).msg, dups: duplicateKeys(l) })).filter((l) => l.dups.length > 0)).toEqual([]);
  });

  it('SIGKILL of the supervisor leaves no spare (and no host) behind', async () => {
    const spares = sparePids(sup.child.pid!);
    const hosts = ids.map((id) => onePid(id)!);
    expect(spares).toHaveLength(2);
    sup.child.kill('SIGKILL');
    await sup.exited;
    await waitFor(() => [...spares, ...hosts].every((p) => !alive(p)), 10_000, 'every spare and host gone after the supervisor was killed');
  }, 60_000);

  it('a graceful stop ends the spares with the hosts (exit 0)', async () => {
    sup = startSupervisorProcess({
      port: await freePort(),
      execArgv: ['--import', sim.preloadPath],
      env: { ...sim.childEnv(), DATA_DIR: dataDir, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'info', HOST_STOP_TIMEOUT_MS: '8000', HOST_SPARES: '2' },
    });
    await pollHealth((h) => h.sessions?.byStatus?.connected === 2 && h.spares?.ready === 2, 120_000, 'recovered with two spares');
    const spares = sparePids(sup.child.pid!);
    expect(spares).toHaveLength(2);
    sup.child.kill('SIGTERM');
    expect(await sup.exited).toEqual({ code: 0, signal: null });
    for (const p of spares) expect(alive(p)).toBe(false);
  }, 180_000);
});
