/**
 * `npm start` is the documented way to run the worker. `--ignore-scripts` skips only the
 * `prestart` build (the vitest globalSetup has just built dist/), so this checks the script
 * wiring in seconds; the full build-then-start path is what `.ci/run` and the README exercise.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, ROOT, SupervisorProcess } from './support/supervisor-process.js';

const running: SupervisorProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

/** Alive and not a zombie (an orphan's zombie lingers where pid 1 does not reap). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function npmStart(env: Record<string, string>): SupervisorProcess {
  const p = new SupervisorProcess({
    command: ['npm', 'start', '--ignore-scripts'],
    cwd: ROOT,
    env: { HOME: process.env.HOME ?? tmpdir(), ...env },
    detached: true,
  });
  running.push(p);
  return p;
}

describe('npm start', () => {
  it('PORT=abc: exits 2 and stderr is exactly the one line naming PORT', async () => {
    const p = npmStart({ PORT: 'abc' });
    expect((await p.exit(30_000)).code).toBe(2);
    expect(p.stderr).toBe('PORT=abc: expected an integer 1-65535\n');
  });

  it('serves /live and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = npmStart({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-npm-')) });
    const started = await p.waitForLog('supervisor started', 30_000);
    const res = await fetch(`http://127.0.0.1:${port}/live`);
    expect(res.status).toBe(200);
    // Like Ctrl-C in a terminal: the signal reaches npm and the supervisor (one process group).
    p.signalGroup('SIGTERM');
    // npm itself may die of the signal it forwarded; what matters is the supervisor's clean stop.
    const npmExit = await p.exit(30_000);
    expect(npmExit.code === 0 || npmExit.signal === 'SIGTERM').toBe(true);
    await p.closed;
    expect(p.stdout).toContain('"msg":"supervisor stopped"');
    expect(isRunning(started.pid as number)).toBe(false);
  });
});
