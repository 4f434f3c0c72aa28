/**
 * Vitest globalSetup: compiles the project to dist/ once before any test file runs, so tests that
 * fork compiled JS (supervisor, session hosts, simulator preloads) never see stale output. Skips
 * the compiler when every source is older than its output (e.g. right after `npm run build`).
 * tsc still emits when some file has a type error, so its exit code only fails the run when an
 * entry point is missing afterwards; `npm run typecheck` is where type errors fail.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildHostBundle, hostBundleStale } from '../../scripts/build-host.mjs';
import { ENTRY_POINTS, staleSource as staleSourceOf } from '../../scripts/build-state.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'dist');
// Shared with test/supervisor/support/build.ts so two compilers never write dist/ at once.
const LOCK = join(DIST, '.build-lock');
const staleSource = (): string | undefined => staleSourceOf(ROOT);

async function acquireLock(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      // A lock older than three minutes belongs to a compiler that died.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 180_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`build lock ${LOCK} held for 3 minutes`);
      await sleep(250);
    }
  }
}

export default async function setup(): Promise<void> {
  if (staleSource() === undefined && !hostBundleStale()) return;
  mkdirSync(DIST, { recursive: true });
  await acquireLock();
  try {
    let output = '';
    if (staleSource() !== undefined) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
      } catch (err) {
        output = String((err as { stdout?: Buffer }).stdout ?? '');
      }
    }
    // The session host every test forks is the production bundle (issue 15), rebuilt from its entry.
    if (hostBundleStale()) await buildHostBundle();
    for (const entry of ENTRY_POINTS) {
      if (!existsSync(join(DIST, entry))) throw new Error(`tsc did not emit dist/${entry}\n${output}`);
    }
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
