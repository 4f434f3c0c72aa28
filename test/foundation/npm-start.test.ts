/**
 * `npm start` is the documented way to run the worker. Its `prestart` compiles only when a source
 * is newer than dist/ (scripts/ensure-built.mjs); vitest's globalSetup has just built dist/, so a
 * start with scripts must not run the compiler. `--ignore-scripts` checks the rest of the wiring.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staleSource } from '../../scripts/build-state.mjs';
import { ROOT, SupervisorProcess } from './support/supervisor-process.js';
import { freePort } from '../support/free-port.js';

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

function npmStart(env: Record<string, string>, scripts: 'ignore-scripts' | 'with-scripts' = 'ignore-scripts'): SupervisorProcess {
  const p = new SupervisorProcess({
    command: scripts === 'ignore-scripts' ? ['npm', 'start', '--ignore-scripts'] : ['npm', 'start'],
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

describe('npm start on a built checkout', () => {
  it('starts the compiled worker without running the compiler', async () => {
    // vitest's globalSetup has just built dist/, as `npm install && npm start` leaves it.
    expect(staleSource(ROOT)).toBeUndefined();
    const entry = join(ROOT, 'dist', 'supervisor', 'main.js');
    const builtAt = statSync(entry).mtimeMs;
    const port = await freePort();
    const p = npmStart({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'wa-npm-')) }, 'with-scripts');
    await p.waitForLog('supervisor started', 30_000);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect(p.stderr).not.toContain('building dist/');
    expect(statSync(entry).mtimeMs).toBe(builtAt);
    p.signalGroup('SIGTERM');
    await p.exit(30_000);
  });
});

describe('build state (scripts/build-state.mjs)', () => {
  function tree(): string {
    const root = mkdtempSync(join(tmpdir(), 'wa-build-state-'));
    for (const f of ['supervisor/main', 'session-host/main', 'src/a']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      mkdirSync(join(root, 'dist', f, '..'), { recursive: true });
      writeFileSync(join(root, `${f}.ts`), '');
      writeFileSync(join(root, 'dist', `${f}.js`), '');
    }
    const past = new Date(Date.now() - 60_000);
    for (const f of ['supervisor/main', 'session-host/main', 'src/a']) utimesSync(join(root, `${f}.ts`), past, past);
    return root;
  }

  it('is up to date when every output is newer than its source', () => {
    expect(staleSource(tree())).toBeUndefined();
  });

  it('is stale when a source changed after the build, or an output or entry point is missing', () => {
    const changed = tree();
    writeFileSync(join(changed, 'src', 'a.ts'), 'export {};');
    utimesSync(join(changed, 'src', 'a.ts'), new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
    expect(staleSource(changed)).toBe(join(changed, 'src', 'a.ts'));

    const added = tree();
    writeFileSync(join(added, 'src', 'b.ts'), '');
    expect(staleSource(added)).toBe(join(added, 'src', 'b.ts'));

    const missing = mkdtempSync(join(tmpdir(), 'wa-build-state-'));
    expect(staleSource(missing)).toBe(join(missing, 'supervisor/main.ts'));
  });
});
