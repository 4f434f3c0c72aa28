import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'wa-gateway-worker';

/**
 * Finds this project's package.json by walking up from this file: the same code runs as
 * `src/version.ts` (tsx, one level down) and as `dist/src/version.js` (two levels down).
 */
export function findPackageJson(startDir: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = startDir;
  for (;;) {
    const candidate = join(dir, 'package.json');
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
      if (parsed.name === PACKAGE_NAME) return candidate;
    } catch {
      // no package.json here (or not ours): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of ${PACKAGE_NAME} not found above ${startDir}`);
    dir = parent;
  }
}

let cached: string | undefined;

/** The `version` field of package.json, read once. */
export function packageVersion(): string {
  if (cached === undefined) {
    const parsed = JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version?: unknown };
    if (typeof parsed.version !== 'string' || parsed.version === '') throw new Error('package.json has no version');
    cached = parsed.version;
  }
  return cached;
}

/** The version this worker reports (/health, metrics, the backend): WORKER_VERSION when set, else package.json's. */
export function workerVersion(configured: string | undefined): string {
  return configured ?? packageVersion();
}
