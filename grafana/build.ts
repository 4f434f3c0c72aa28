/**
 * Writes the generated dashboard JSON to grafana/dashboards/ (`npm run grafana:build`).
 * `--check` writes nothing and exits 1 when a committed file is stale, for CI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './render.js';

export const DASHBOARDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');

function current(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  for (const [name, text] of renderDashboards()) {
    const file = join(DASHBOARDS_DIR, name);
    if (current(file) === text) continue;
    if (check) {
      console.error(`stale: ${file} (run npm run grafana:build)`);
      stale += 1;
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  return stale === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
