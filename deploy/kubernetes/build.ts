/**
 * Writes deploy/kubernetes/*.yaml (`npm run deploy:build`). `--check` writes nothing and exits 1
 * when a committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKubernetes } from './render.js';

const DIR = import.meta.dirname;

function current(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

let stale = 0;
const check = process.argv.includes('--check');
for (const [name, text] of renderKubernetes()) {
  const file = join(DIR, name);
  if (current(file) === text) continue;
  if (check) {
    console.error(`stale: ${file} (run npm run deploy:build)`);
    stale += 1;
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
