/**
 * The postinstall patch of Baileys rc14 (scripts/patch-baileys.mjs): the installed client carries
 * the inbox hook, in the place the receipt depends on; the patch is idempotent; an anchor that is
 * not there exactly once (another Baileys version) fails loudly instead of leaving it unpatched;
 * and the Dockerfile runs it in every stage that installs dependencies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER, PINNED_VERSION, TARGET, patchSource } from '../../scripts/patch-baileys.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

describe('Baileys inbox hook (postinstall)', () => {
  const installed = readFileSync(TARGET, 'utf8');

  it('is installed: the decrypted message goes to the hook inside the key transaction, before the receipt', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies['@whiskeysockets/baileys']).toBe(PINNED_VERSION);
    expect(pkg.scripts.postinstall).toBe('node scripts/patch-baileys.mjs');
    expect(installed).toContain(MARKER);
    const handle = installed.slice(installed.indexOf('const handleMessage = async'));
    const hook = handle.indexOf('await config.onMessageDecrypted(msg');
    const tx = handle.indexOf('await authState.keys.transaction(async () => {');
    const receipt = handle.indexOf('await sendReceipt(msg.key.remoteJid');
    const upsert = handle.indexOf("await upsertMessage(msg, node.attrs.offline ? 'append' : 'notify')");
    expect(tx).toBeGreaterThan(0);
    expect(tx).toBeLessThan(hook);
    expect(hook).toBeLessThan(receipt);
    expect(receipt).toBeLessThan(upsert);
  });

  it('is idempotent and refuses a file whose anchors moved', () => {
    expect(patchSource(installed)).toEqual({ source: installed, changed: false });
    const pristine = installed.replaceAll(MARKER, 'x'); // pretend unpatched: the anchors are gone (replaced)
    expect(() => patchSource(pristine)).toThrow(/anchor .* found 0 times/);
  });

  it('runs in every Dockerfile stage that installs dependencies (the script is copied before npm ci)', () => {
    const docker = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = docker.split(/^FROM /m).slice(1);
    const installing = stages.filter((s) => /RUN npm ci/.test(s));
    expect(installing.length).toBeGreaterThan(0);
    // A stage that installs again would need the script too; one derived from a patched stage (prune) keeps the patch.
    for (const s of installing) expect(s.indexOf('COPY scripts/patch-baileys.mjs ./scripts/')).toBeGreaterThan(-1);
    for (const s of installing) expect(s.indexOf('COPY scripts/patch-baileys.mjs ./scripts/')).toBeLessThan(s.indexOf('RUN npm ci'));
  });
});
