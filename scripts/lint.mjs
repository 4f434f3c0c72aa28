#!/usr/bin/env node
/**
 * `npm run lint` (after `tsc --noEmit`): walks the source folders and applies the rules of
 * scripts/lint-rules.mjs. Prints one `path:line [rule] message` per problem; exits 1 if any.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, LINTED_DIRS, LINTED_EXTENSIONS } from './lint-rules.mjs';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

/** @param {string} dir @returns {string[]} */
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(p);
    return LINTED_EXTENSIONS.some((ext) => e.name.endsWith(ext)) && !e.name.endsWith('.d.ts') && !e.name.endsWith('.d.mts') ? [p] : [];
  });
}

const files = LINTED_DIRS.flatMap((d) => walk(join(ROOT, d)));
const problems = files.flatMap((file) => checkFile(relative(ROOT, file).split(sep).join('/'), readFileSync(file, 'utf8')));
for (const p of problems) process.stderr.write(`${p.path}:${p.line} [${p.rule}] ${p.message}\n`);
process.stdout.write(`lint: ${files.length} files, ${problems.length} problem(s)\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
