/**
 * Project lint rules: cheap text checks tsc cannot make. Pure functions over (path, text), so
 * test/unit/lint-rules.test.ts checks them and test/unit/env-example.test.ts reuses the scanner.
 *
 * Rules (paths relative to the project root, `/` separators):
 * - max-lines: production code (src/, supervisor/, session-host/, scripts/) at most 400 lines a
 *   file, tests and benches (test/, bench/) at most 600: one job per file.
 * - no-console: no `console.*` in production code; logs go through pino (src/logger.ts) so they
 *   are JSON, levelled and redacted. Command-line tools (files under a `cli/` folder) print to
 *   the terminal by design and are exempt; entries write fatal lines with process.stderr.write.
 * - env-through-config: production code reads no environment variable by name outside
 *   src/config/; every variable is in the spec table, hence in `.env.example`. Passing
 *   `process.env` on whole (a forked host inherits the supervisor's environment) reads no name
 *   and is allowed.
 * - no-only: no `it.only` / `describe.only` / `test.only` left in a test (it would skip the rest).
 * - no-debugger: no `debugger` statement anywhere.
 */

export const PRODUCTION_DIRS = ['src', 'supervisor', 'session-host'];
export const LINTED_DIRS = [...PRODUCTION_DIRS, 'scripts', 'test', 'bench'];
export const LINTED_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'];
export const MAX_LINES_PRODUCTION = 400;
export const MAX_LINES_TEST = 600;

/** @param {string} path */
export function isProduction(path) {
  return PRODUCTION_DIRS.some((d) => path.startsWith(`${d}/`)) && !path.endsWith('.test.ts');
}

/**
 * Blanks out whole-line comments (`//`, `/*`, ` *`) so a comment that mentions `process.env.X`
 * or `console.log` is not a finding. Keeps line numbers.
 * @param {string} text
 */
export function stripLineComments(text) {
  return text
    .split('\n')
    .map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line))
    .join('\n');
}

/**
 * Names of environment variables a source text reads: `process.env.X`, `process.env['X']`,
 * `const { X, Y: y } = process.env`, and `env.X` / `env['X']` on any object named `env` (the
 * usual alias), where X is upper case.
 * @param {string} text
 * @returns {string[]}
 */
export function findEnvReads(text) {
  const code = stripLineComments(text);
  const names = new Set();
  for (const m of code.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
  for (const m of code.matchAll(/process\.env\[\s*(['"`])([^'"`]+)\1\s*\]/g)) names.add(m[2]);
  for (const m of code.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
    for (const part of m[1].split(',')) {
      const name = part.split(/[:=]/)[0].trim().replace(/^\.\.\./, '');
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.add(name);
    }
  }
  for (const m of code.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b/g)) names.add(m[1]);
  for (const m of code.matchAll(/\benv\[\s*(['"`])([A-Z][A-Z0-9_]+)\1\s*\]/g)) names.add(m[2]);
  return [...names].sort();
}

/**
 * @typedef {{ rule: string, path: string, line: number, message: string }} Problem
 * @param {string} path relative, `/`-separated
 * @param {string} text
 * @returns {Problem[]}
 */
export function checkFile(path, text) {
  /** @type {Problem[]} */
  const problems = [];
  const lines = text.split('\n');
  const lineCount = text.endsWith('\n') ? lines.length - 1 : lines.length;
  const production = isProduction(path);
  const limit = path.startsWith('test/') || path.startsWith('bench/') ? MAX_LINES_TEST : MAX_LINES_PRODUCTION;
  if (lineCount > limit) {
    problems.push({ rule: 'max-lines', path, line: limit + 1, message: `${lineCount} lines; at most ${limit} (split the file by concern)` });
  }
  const code = stripLineComments(text).split('\n');
  code.forEach((line, i) => {
    const at = i + 1;
    if (production && !path.includes('/cli/') && /\bconsole\.[a-z]+\s*\(/.test(line)) {
      problems.push({ rule: 'no-console', path, line: at, message: 'console.* in production code; use the pino logger (src/logger.ts)' });
    }
    if (production && !path.startsWith('src/config/')) {
      for (const name of findEnvReads(line)) {
        problems.push({ rule: 'env-through-config', path, line: at, message: `reads ${name} from the environment; add it to src/config/spec.ts and use the config object` });
      }
    }
    if (/\b(it|test|describe)\.only\s*\(/.test(line)) {
      problems.push({ rule: 'no-only', path, line: at, message: '.only() skips every other test' });
    }
    if (/(^|[;{}\s])debugger\s*;?\s*$/.test(line)) {
      problems.push({ rule: 'no-debugger', path, line: at, message: 'debugger statement' });
    }
  });
  return problems;
}
