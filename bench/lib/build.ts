/**
 * Compiles what the benchmark and the demo run as child processes: the worker (`npm run build`
 * output, through the test suite's global setup so its build lock keeps concurrent compilers
 * apart and a fresh dist/ is not compiled again), the simulator's trust preload, and the
 * one-process baseline (`bench/baseline/` → `dist/bench/baseline/`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import buildProject from '../../test/support/global-setup.js';
import { ensureSimBuilt } from '../../test/wa-sim/build.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const BASELINE_MAIN = join(DIST, 'bench', 'baseline', 'plain-process.js');
const BASELINE_SOURCE = join(ROOT, 'bench', 'baseline', 'plain-process.ts');

export async function buildAll(options: { baseline: boolean }): Promise<void> {
  await buildProject();
  await ensureSimBuilt();
  if (options.baseline && (!existsSync(BASELINE_MAIN) || statSync(BASELINE_MAIN).mtimeMs < statSync(BASELINE_SOURCE).mtimeMs)) {
    try {
      execFileSync('npx', ['tsc', '-p', join(ROOT, 'bench', 'tsconfig.build.json')], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      // tsc emits despite type errors elsewhere in the tree; only a missing output is fatal.
      if (!existsSync(BASELINE_MAIN)) throw err;
    }
  }
  for (const entry of [join(DIST, 'supervisor', 'main.js'), join(DIST, 'host', 'session-host.mjs'), join(DIST, 'test', 'wa-sim', 'trust-sim.js')]) {
    if (!existsSync(entry)) throw new Error(`build did not produce ${entry}`);
  }
}
