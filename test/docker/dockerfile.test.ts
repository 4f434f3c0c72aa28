/**
 * No Docker engine runs here, so the Dockerfile is checked statically: dockerfile-utils' linter
 * with every rule at error severity, then the properties the issue asks for (multi-stage,
 * non-root, init process, HEALTHCHECK on /live, EXPOSE, volume for DATA_DIR, production code only).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const E = ValidationSeverity.ERROR;
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: E, directiveCasing: E, emptyContinuationLine: E, instructionCasing: E, instructionCmdMultiple: E,
  instructionEntrypointMultiple: E, instructionHealthcheckMultiple: E, instructionJSONInSingleQuotes: E, instructionWorkdirRelative: E,
};

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions grouped by stage; continuation lines joined, comments dropped. */
function stages(dockerfile: string): Instruction[][] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const out: Instruction[][] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    const ins = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (ins.keyword === 'FROM') out.push([]);
    if (ins.keyword !== 'ARG' || out.length > 0) out.at(-1)?.push(ins);
  }
  return out;
}

const all = stages(text);
const final = all.at(-1)!;
const args = (stage: Instruction[], keyword: string): string[] => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('passes dockerfile-utils lint with every rule as an error', () => {
    expect(validate(text, STRICT).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('the linter does catch a broken file (so the check above can fail)', () => {
    expect(validate('FROM\nEXPOSE abc\nHEALTHCHECK CMD\n', STRICT).length).toBeGreaterThan(0);
  });

  it('is multi-stage: builds with dev dependencies, runs with production ones', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const build = all.find((s) => / AS build$/i.test(s[0]!.args))!;
    expect(build).toBeDefined();
    expect(args(build, 'RUN').some((r) => /npm ci(?!.*--omit=dev)/.test(r))).toBe(true);
    expect(args(build, 'RUN').some((r) => r.includes('npm run build'))).toBe(true);
    // Production dependencies: the build's node_modules pruned of dev dependencies (one install, one compile).
    const deps = all.find((s) => / AS deps$/i.test(s[0]!.args))!;
    expect(args(deps, 'RUN').some((r) => r.includes('npm prune --omit=dev'))).toBe(true);
    expect(args(final, 'COPY').some((c) => c.includes('--from=deps') && c.includes('/app/node_modules'))).toBe(true);
    expect(final[0]!.args).toMatch(/ AS runtime$/i);
  });

  it('builds FROM public images by default, overridable for machines with no image registry', () => {
    // The global ARGs (before the first FROM): the public default, and the build stages' base following it.
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(text).toMatch(/^ARG BUILD_IMAGE=\$\{NODE_IMAGE\}$/m);
    const froms = all.map((s) => s[0]!.args);
    expect(froms).toEqual(['${BUILD_IMAGE} AS build', 'build AS deps', '${NODE_IMAGE} AS runtime']);
  });

  it('copies only production code into the runtime image (no dist/test, no sources)', () => {
    const copies = args(final, 'COPY');
    const fromBuild = copies.filter((c) => c.includes('--from=build'));
    expect(fromBuild.map((c) => c.split(/\s+/).at(-2))).toEqual(['/app/dist/src', '/app/dist/supervisor', '/app/dist/host']);
    for (const c of copies) expect(c).not.toMatch(/\btest\b|\/app\/dist\s|\bsrc\s+\.\/src/);
  });

  it('runs as a non-root user under tini, so SIGTERM reaches the supervisor', () => {
    const users = args(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(args(final, 'ENTRYPOINT').at(-1)).toBe('["/usr/bin/tini", "--"]');
    expect(args(final, 'RUN').some((r) => /apt-get install .*\btini\b/.test(r))).toBe(true);
    expect(args(final, 'CMD').at(-1)).toBe('["node", "dist/supervisor/main.js"]');
  });

  it('checks /live, exposes 3001 and keeps DATA_DIR on a volume', () => {
    const hc = args(final, 'HEALTHCHECK').at(-1)!;
    expect(hc).toContain('/live');
    expect(hc).toMatch(/CMD \["node"/); // no curl needed in a slim image
    expect(args(final, 'EXPOSE')).toContain('3001');
    expect(args(final, 'VOLUME').join(' ')).toContain('/data');
    expect(args(final, 'ENV').join(' ')).toMatch(/DATA_DIR=\/data/);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const sources = all.flatMap((s) => args(s, 'COPY')).filter((c) => !c.includes('--from=')).flatMap((c) => c.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `${src} missing`).toBe(true);
      expect(ignored.includes(src.replace(/^\.\//, '')), `${src} is in .dockerignore`).toBe(false);
    }
    for (const secretish of ['.env', 'node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(secretish);
  });

  it('the runtime image holds every module its code imports (a supervisor import from dist/session-host broke the image once)', () => {
    // The compiled folders the runtime stage copies, e.g. /app/dist/src → dist/src.
    const copied = args(final, 'COPY').filter((c) => c.includes('--from=build')).map((c) => c.split(/\s+/).at(-2)!.replace(/^\/app\//, ''));
    expect(copied).toContain('dist/supervisor');
    const inImage = (file: string): boolean => copied.some((dir) => !relative(join(ROOT, dir), file).startsWith('..'));
    const jsFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : /\.m?js$/.test(e.name) ? [join(dir, e.name)] : []));
    const missing: string[] = [];
    for (const file of copied.flatMap((dir) => jsFiles(join(ROOT, dir)))) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), m[1]!);
        if (!inImage(target) || !existsSync(target)) missing.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the CMD entry point is what the build emits', () => {
    expect(existsSync(join(ROOT, 'dist', 'supervisor', 'main.js'))).toBe(true);
  });

  it('the image runs the bundled session host the build emits (the one tests and the bench run)', () => {
    const build = all.find((s) => / AS build$/i.test(s[0]!.args))!;
    expect(args(build, 'COPY').some((c) => /^scripts\s+\.\/scripts$/.test(c))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'host', 'session-host.mjs'))).toBe(true);
  });
});
