#!/usr/bin/env node
/**
 * `npm start`'s prestart: compiles only when a source is newer than dist/ (or dist/ is missing),
 * so a built checkout starts at once instead of paying the compiler (about 10 s) on every start.
 * The first start after `npm install`, and the first after a source change, build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostBundleStale } from './build-host.mjs';
import { staleSource } from './build-state.mjs';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
// The session host bundle (dist/host/) is part of the build too: stale when any input it was built from changed.
const stale = staleSource(ROOT) ?? (hostBundleStale() ? join(ROOT, 'dist', 'host', 'session-host.mjs') : undefined);
if (stale !== undefined) {
  process.stderr.write(`building dist/ (${stale.slice(ROOT.length + 1)} changed)\n`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
