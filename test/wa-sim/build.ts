/**
 * Test helper: make sure the simulator's preload and client fixture are compiled to dist/ before a
 * test forks them. Compiles only test/wa-sim (fast), skips when dist is newer than every source,
 * and holds a lock directory so parallel test files do not compile over each other.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function upToDate(): boolean {
  for (const src of sources(here)) {
    const out = join(root, 'dist', relative(root, src)).replace(/\.ts$/, '.js');
    try {
      if (statSync(out).mtimeMs < statSync(src).mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function ensureSimBuilt(): Promise<void> {
  const lock = join(root, 'dist', '.wa-sim-build.lock');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock older than two minutes belongs to a dead build
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* lock went away meanwhile */
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the wa-sim build lock');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!upToDate()) {
      execFileSync('npx', ['tsc', '-p', join(here, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
