/**
 * Bundles the session host (issue 15): esbuild follows the imports of `session-host/main.ts` (no
 * file list: whatever the host imports is in), dependencies included, into ESM under `dist/host/`:
 *
 *   session-host.mjs   the entry the supervisor forks (and every test, the bench and Docker)
 *   baileys.mjs        Baileys' own exports, sharing the host's module instance (one copy of
 *                      WA_CERT_DETAILS / Curve), for the simulator's test preload to patch
 *   chunks/*.mjs       shared code and code behind `import()` (loaded only when used)
 *   meta.json          esbuild's metafile: the inputs, so a freshness check needs no file list
 *
 * Why: importing the compiled ESM tree from node_modules costs a host ~1 CPU-s of module
 * resolution, file reads and compilation; one bundle costs ~0.35 (bench/README.md).
 * Usage: `node scripts/build-host.mjs` (part of `npm run build`); `--if-stale` skips a fresh bundle.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MARKER, patchSource, TARGET as PATCHED_BAILEYS_FILE } from './patch-baileys.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'host');
const META = join(OUT, 'meta.json');
const ENTRY = join(OUT, 'session-host.mjs');

// Packages with native binaries or optional peers Baileys loads only when a feature asks for them:
// left to Node's resolver (node_modules ships with the image), never inlined.
const EXTERNAL = ['sharp', 'jimp', 'link-preview-js', 'audio-decode', 'qrcode-terminal', '@img/*'];

/** True when the bundle is missing or any of its recorded inputs (or the lockfile) is newer. */
export function hostBundleStale() {
  if (!existsSync(ENTRY) || !existsSync(META)) return true;
  const builtAt = statSync(ENTRY).mtimeMs;
  let inputs;
  try {
    inputs = Object.keys(JSON.parse(readFileSync(META, 'utf8')).inputs);
  } catch {
    return true;
  }
  for (const rel of [...inputs, 'package-lock.json']) {
    const p = join(ROOT, rel);
    // A vanished input means the import graph changed.
    if (!existsSync(p) || statSync(p).mtimeMs > builtAt) return true;
  }
  return false;
}

export async function buildHostBundle() {
  // Never bundle an unpatched Baileys: its receipt would again precede the outbox. A node_modules
  // installed before the postinstall existed (or with --ignore-scripts) is patched here; a file
  // the patch does not fit throws (scripts/patch-baileys.mjs).
  const recv = readFileSync(PATCHED_BAILEYS_FILE, 'utf8');
  if (!recv.includes(MARKER)) {
    writeFileSync(PATCHED_BAILEYS_FILE, patchSource(recv).source);
    process.stdout.write(`patched ${PATCHED_BAILEYS_FILE} (the inbox hook was missing)
`);
  }
  rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: 'session-host/main.ts', out: 'session-host' },
      { in: '@whiskeysockets/baileys', out: 'baileys' },
    ],
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS dependencies call `require` for Node built-ins; ESM output has none of its own.
    banner: { js: "import { createRequire as __waCreateRequire } from 'node:module'; const require = __waCreateRequire(import.meta.url);" },
    // Whitespace and syntax only: ~25 % less source for V8 to parse in every host and to keep in
    // its heap; identifiers stay, so stack traces still name functions.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  // Inputs (freshness) and, per output file, its imports and the inputs in it (what loads when).
  const outputs = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, o]) => [file, { bytes: o.bytes, imports: o.imports, inputs: Object.keys(o.inputs) }]),
  );
  const patchedInput = join('node_modules', '@whiskeysockets', 'baileys', 'lib', 'Socket', 'messages-recv.js');
  if (!(patchedInput in result.metafile.inputs)) throw new Error(`the host bundle did not take Baileys' receive path from ${patchedInput}`);
  writeFileSync(META, JSON.stringify({ inputs: result.metafile.inputs, outputs }));
  return ENTRY;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !hostBundleStale()) process.exit(0);
  const started = Date.now();
  await buildHostBundle();
  process.stdout.write(`session host bundled into dist/host/ in ${Date.now() - started} ms\n`);
}
