/**
 * Whether dist/ is older than the sources it is compiled from. One home for the check that both
 * `npm start` (scripts/ensure-built.mjs) and the vitest globalSetup use, so "built" means the
 * same thing to the operator and to the tests.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The folders tsconfig.build.json compiles (its `include`). */
export const BUILD_SOURCES = ['src', 'supervisor', 'session-host', 'test/wa-sim', 'test/support', 'test/fixtures', 'test/fake-backend'];
/** Files whose change alters what the compiler emits. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
export const ENTRY_POINTS = ['supervisor/main.js', 'session-host/main.js'];

/**
 * The first source file newer than its compiled output (or without one), or undefined when dist/
 * is up to date. A missing entry point counts as stale.
 * @param {string} root @returns {string | undefined}
 */
export function staleSource(root) {
  const dist = join(root, 'dist');
  for (const entry of ENTRY_POINTS) {
    if (!existsSync(join(dist, entry))) return join(root, entry.replace(/\.js$/, '.ts'));
  }
  const oldestEntry = Math.min(...ENTRY_POINTS.map((e) => statSync(join(dist, e)).mtimeMs));
  for (const input of BUILD_INPUTS) {
    const p = join(root, input);
    if (existsSync(p) && statSync(p).mtimeMs > oldestEntry) return p;
  }
  for (const dir of BUILD_SOURCES) {
    const stack = [join(root, dir)];
    while (stack.length > 0) {
      const d = /** @type {string} */ (stack.pop());
      if (!existsSync(d)) continue;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) {
          const out = join(dist, relative(root, p)).replace(/\.ts$/, '.js');
          if (!existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs) return p;
        }
      }
    }
  }
  return undefined;
}
