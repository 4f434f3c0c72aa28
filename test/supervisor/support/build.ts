import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Forked hosts run as compiled JS; `test/support/global-setup.ts` (vitest globalSetup) compiles
 * dist/ once before any test file runs. Building again from inside a test file could rewrite
 * dist/ while another file's hosts are being forked, so tests only check the output is there.
 */
export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DIST = join(ROOT, 'dist');
export const fixtureHost = (name: string): string => {
  const path = join(DIST, 'test', 'fixtures', 'hosts', `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run the tests through vitest (globalSetup builds dist/) or \`npm run build\``);
  return path;
};
