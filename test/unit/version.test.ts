import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageJson, packageVersion } from '../../src/version.js';

describe('packageVersion', () => {
  it('is the version field of the project package.json', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(packageVersion()).toBe(pkg.version);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('finds our package.json walking up, skipping other packages on the way', () => {
    const root = mkdtempSync(join(tmpdir(), 'wa-version-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'wa-gateway-worker', version: '9.9.9' }));
    const inner = join(root, 'dist', 'src');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    expect(findPackageJson(inner)).toBe(join(root, 'package.json'));
  });

  it('fails clearly when there is none', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'wa-version-none-'));
    expect(() => findPackageJson(lonely)).toThrow(/package.json of wa-gateway-worker not found/);
  });
});
