/**
 * `.env.example`, the spec table and the code stay in step: the test fails when code reads a
 * variable `.env.example` lacks, when `.env.example` lists one the code does not know, or when a
 * default or comment drifts from src/config/spec.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ALL_VARIABLES, parseConfig, SPEC } from '../../src/config/index.js';
import { findEnvReads, isProduction, PRODUCTION_DIRS } from '../../scripts/lint-rules.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

interface ExampleEntry {
  readonly name: string;
  /** undefined when the line is commented out (`# NAME=`): unset by default. */
  readonly value: string | undefined;
  /** The comment line right above. */
  readonly doc: string | undefined;
  readonly line: number;
}

/** Pure parser of the `.env.example` layout: `# doc` then `NAME=value` or `# NAME=`. */
export function parseEnvExample(text: string): ExampleEntry[] {
  const lines = text.split('\n');
  const entries: ExampleEntry[] = [];
  lines.forEach((line, i) => {
    const active = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    const commented = /^#\s*([A-Z][A-Z0-9_]*)=\s*$/.exec(line);
    const match = active ?? commented;
    if (!match) return;
    const above = i > 0 ? /^#\s?(.*)$/.exec(lines[i - 1]!) : null;
    entries.push({ name: match[1]!, value: active ? active[2] : undefined, doc: above ? above[1] : undefined, line: i + 1 });
  });
  return entries;
}

function productionFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return walk(p);
      return /\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
    });
  return PRODUCTION_DIRS.flatMap((d) => walk(join(ROOT, d))).filter((p) => isProduction(relative(ROOT, p).split(sep).join('/')));
}

const exampleText = readFileSync(join(ROOT, '.env.example'), 'utf8');
const entries = parseEnvExample(exampleText);
const exampleNames = new Set(entries.map((e) => e.name));

describe('.env.example', () => {
  it('lists each variable once', () => {
    const seen = entries.map((e) => e.name);
    expect(seen.filter((n, i) => seen.indexOf(n) !== i)).toEqual([]);
  });

  it('lists every variable the config knows, and none it does not', () => {
    const missing = ALL_VARIABLES.filter((n) => !exampleNames.has(n));
    const unknown = [...exampleNames].filter((n) => !ALL_VARIABLES.includes(n));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  it.each(Object.values(SPEC).map((s) => [s.name, s] as const))('%s shows the spec default and its one-line comment', (name, spec) => {
    const entry = entries.find((e) => e.name === name);
    expect(entry, `${name} missing from .env.example`).toBeDefined();
    expect(entry!.value).toBe(spec.default);
    expect(entry!.doc).toBe(spec.doc);
  });

  it('is itself a valid configuration equal to the defaults', () => {
    expect(parseConfig(parseDotenv(exampleText))).toEqual(parseConfig({}));
  });

  it('holds no test-only variable', () => {
    for (const name of ['WA_SIM_ROOT_PUBLIC_KEY', 'REQUIRE_SWIFT']) expect(exampleNames.has(name)).toBe(false);
  });
});

describe('environment reads in the code', () => {
  const files = productionFiles();

  it('scans the production code (sanity: the folders are found)', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith(join('supervisor', 'main.ts')))).toBe(true);
  });

  it('reads no variable that .env.example lacks', () => {
    const unlisted = files.flatMap((file) =>
      findEnvReads(readFileSync(file, 'utf8'))
        .filter((name) => !exampleNames.has(name))
        .map((name) => `${relative(ROOT, file)}: ${name}`),
    );
    expect(unlisted).toEqual([]);
  });

  it('the scanner finds every form of read (so the check above can fail)', () => {
    const src = [
      'const a = process.env.FOO_BAR;',
      "const b = process.env['BAZ'];",
      'const { QUX, QUUX: q = 1 } = process.env;',
      'const c = env.LOG_LEVEL ?? options.env?.DATA_DIR;',
      "const d = env['WORKER_ID'];",
      '// process.env.IN_A_COMMENT is not a read',
      'const whole = { env: process.env };',
    ].join('\n');
    expect(findEnvReads(src)).toEqual(['BAZ', 'DATA_DIR', 'FOO_BAR', 'LOG_LEVEL', 'QUUX', 'QUX', 'WORKER_ID']);
  });

  it('the parser of .env.example reads active and commented entries with their comments', () => {
    expect(parseEnvExample('# port\nPORT=1\n\n# id\n# WORKER_ID=\n')).toEqual([
      { name: 'PORT', value: '1', doc: 'port', line: 2 },
      { name: 'WORKER_ID', value: undefined, doc: 'id', line: 5 },
    ]);
  });
});
