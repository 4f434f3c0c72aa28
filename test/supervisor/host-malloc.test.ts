/**
 * HOST_GLIBC_TUNABLES through the real path (issue 15, memory per host): the compiled supervisor
 * forks a real session host, which recovers a paired session from the simulator. With the default,
 * the host's environment carries the tunable and glibc's main arena ([heap] in smaps) no longer
 * keeps the ~20 MB V8 freed after parsing Baileys at boot.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryFile } from '../../supervisor/registry/registry-file.js';
import { pair, pollHealth } from '../integration/support/world.js';
import { freePort } from '../support/free-port.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { hostPidsOf, startSupervisorProcess, type SupervisorProcess } from './support/processes.js';

const id = `gt_${Math.random().toString(36).slice(2, 8)}`;
let sim: WaSim;
let dataDir: string;
let supervisor: SupervisorProcess | undefined;

beforeAll(async () => {
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'host-malloc-'));
});

afterAll(async () => {
  if (supervisor && supervisor.child.exitCode === null) {
    supervisor.child.kill('SIGTERM');
    await supervisor.exited;
  }
  for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
  await sim?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** RSS of glibc's main arena (the brk heap) of a live process, in MB. */
function brkHeapMB(pid: number): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const at = smaps.indexOf(' [heap]\n');
  expect(at).toBeGreaterThan(-1);
  return Number(/^Rss:\s+(\d+) kB$/m.exec(smaps.slice(at))![1]) / 1024;
}

describe('session hosts with the default HOST_GLIBC_TUNABLES', () => {
  it('get GLIBC_TUNABLES in their environment, and a connected host keeps under 10 MB in the brk heap (about 20 MB without)', async () => {
    await pair(sim, dataDir, id, '15550008801');
    await new RegistryFile(dataDir).save([{ sessionId: id, userId: null, name: null, createdAt: new Date().toISOString(), desired: 'running', ended: null }]);
    supervisor = startSupervisorProcess({
      port: await freePort(),
      execArgv: ['--import', sim.preloadPath],
      env: { ...sim.childEnv(), DATA_DIR: dataDir, WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'warn', HOST_SPARES: '0' },
    });
    await pollHealth(supervisor, (h) => h.sessions?.byStatus?.connected === 1, 90_000, 'the session connected');
    const [pid] = hostPidsOf(id);
    expect(pid).toBeDefined();
    // Boot's parser/compiler memory is freed by the time the session is connected; 3-4 MB stay.
    expect(brkHeapMB(pid!)).toBeLessThan(10);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768');
  }, 180_000);
});
