/**
 * Bundles the session host (issue 15): esbuild follows the imports of `session-host/main.ts` (no
 * file list: whatever the host imports is in), dependencies included, under `dist/host/`:
 *
 *   session-host.mjs   the entry the supervisor forks (and every test, the bench and Docker): a
 *                      loader that compiles the two files below with a V8 code cache
 *                      (session-host/code-cache/loader.ts)
 *   host.cjs           the host's code and dependencies, CommonJS (only a classic script takes a
 *                      code cache on Node 20); code behind `import()` is evaluated only when used
 *   baileys.cjs        Baileys and its dependencies, required by host.cjs
 *   minio.cjs, media.cjs, proxy-*.cjs
 *                      lazy chunks: packages a host needs only for some sessions or messages (the
 *                      S3 client, Baileys' audio parser, the proxy agents), required from host.cjs
 *                      or baileys.cjs where the code first uses them, so a host that never needs
 *                      one never reads or compiles its file (LAZY_CHUNKS)
 *   meta.json          esbuild's metafiles: the inputs, so a freshness check needs no file list
 *
 * Why: importing the compiled ESM tree from node_modules costs a host ~1 CPU-s of module
 * resolution, file reads and compilation; one bundle costs ~0.35 (bench/README.md).
 * Usage: `node scripts/build-host.mjs` (part of `npm run build`); `--if-stale` skips a fresh bundle.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lazyWaProto, WAPROTO_FILE } from './lazy-waproto.mjs';
import { MARKER, patchSource, TARGET as PATCHED_BAILEYS_FILE } from './patch-baileys.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'host');
const META = join(OUT, 'meta.json');
const ENTRY = join(OUT, 'session-host.mjs');

// Packages with native binaries or optional peers Baileys loads only when a feature asks for them:
// left to Node's resolver (node_modules ships with the image), never inlined.
const EXTERNAL = ['sharp', 'jimp', 'link-preview-js', 'audio-decode', 'qrcode-terminal', '@img/*'];

/**
 * Lazy chunks: file name → the package it holds. Every import of the package in the host or in
 * Baileys becomes `require('./<name>.cjs')`, evaluated only where the code first needs it: the S3
 * client (~0.38 CPU-s and 25 MB when evaluated) only for `STORAGE_DRIVER=minio` (dynamic import in
 * src/storage/index.ts), music-metadata only for an audio message's duration, the agents only for
 * a session with a proxy. test/session-host/host-bundle.test.ts checks which files hosts load.
 */
export const LAZY_CHUNKS = {
  minio: 'minio',
  media: 'music-metadata',
  'proxy-http': 'https-proxy-agent',
  'proxy-socks': 'socks-proxy-agent',
};

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
  const common = {
    absWorkingDir: ROOT,
    outdir: OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // Whitespace and syntax only: ~25 % less source for V8 to parse in every host and to keep in
    // its heap; identifiers stay, so stack traces still name functions.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
  // CommonJS, so the loader can compile each file with a V8 code cache (session-host/code-cache/).
  // Each file is written already wrapped as Node wraps a CommonJS module (a function of exports,
  // require, module, __filename, __dirname) and only the loader runs it: compiling the file as read,
  // not a wrapped copy, keeps one copy of its source in the host's heap (~6 MB less PSS until the
  // next full GC; bench/README.md). CommonJS has no import.meta; the file's own URL stands in for it.
  const cjs = {
    ...common,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__waImportMetaUrl' },
    banner: { js: "(function (exports, require, module, __filename, __dirname) { const __waImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    footer: { js: '\n})' },
    // `import()` becomes `require()`, which the loader serves (a vm.Script has no module referrer
    // to resolve an `import()` against, and the lazy chunks go through the loader's code cache).
    supported: { 'dynamic-import': false },
  };
  const chunkNames = Object.keys(LAZY_CHUNKS);
  const lazyChunks = {
    name: 'lazy-chunks',
    setup(b) {
      for (const [name, pkg] of Object.entries(LAZY_CHUNKS)) {
        const filter = new RegExp(`^${pkg.replace(/[-./]/g, '\\$&')}$`);
        b.onResolve({ filter }, () => ({ path: `./${name}.cjs`, external: true }));
      }
    },
  };
  // Each lazy chunk: its package and whatever of its dependencies it uses (a dependency shared with
  // the host is a second copy: these packages keep no state the host shares).
  const chunks = await Promise.all(Object.entries(LAZY_CHUNKS).map(([name, pkg]) => build({ ...cjs, entryPoints: [{ in: pkg, out: name }] })));
  // WAProto's ~200 message types are built on first use, not all at boot (scripts/lazy-waproto.mjs).
  let lazyTypes = 0;
  const lazyProto = {
    name: 'lazy-waproto',
    setup(b) {
      b.onLoad({ filter: WAPROTO_FILE }, (args) => {
        const { source, types } = lazyWaProto(readFileSync(args.path, 'utf8'));
        lazyTypes = types;
        return { contents: source, loader: 'js' };
      });
    },
  };
  // Baileys and its dependencies: one file, one instance for the host and the simulator's preload.
  const baileys = await build({ ...cjs, entryPoints: [{ in: '@whiskeysockets/baileys', out: 'baileys' }], plugins: [lazyChunks, lazyProto] });
  if (lazyTypes === 0) throw new Error('the host bundle did not take WAProto through scripts/lazy-waproto.mjs');
  // The host: its own code and other dependencies; Baileys is required from ./baileys.cjs through
  // an ESM shim with Baileys' export names (a default import of a CommonJS file would otherwise get
  // the whole exports object, as in Node, not Baileys' default export).
  const names = await exportNames('@whiskeysockets/baileys');
  const ownBaileys = {
    name: 'baileys-beside',
    setup(b) {
      b.onResolve({ filter: /^@whiskeysockets\/baileys$/ }, () => ({ path: 'baileys-shim', namespace: 'wa-baileys' }));
      b.onResolve({ filter: /^\.\/baileys\.cjs$/ }, () => ({ path: './baileys.cjs', external: true }));
      b.onLoad({ filter: /.*/, namespace: 'wa-baileys' }, () => ({
        resolveDir: OUT,
        loader: 'js',
        contents: `const b = require('./baileys.cjs');\nexport default b.default;\nexport const { ${names.filter((n) => n !== 'default').join(', ')} } = b;\n`,
      }));
    },
  };
  const host = await build({ ...cjs, entryPoints: [{ in: 'session-host/main.ts', out: 'host' }], plugins: [ownBaileys, lazyChunks] });
  // Every script the loader may compile, by name, with the sha256 prefix its cache file is keyed by.
  const ids = Object.fromEntries(
    ['host', 'baileys', ...chunkNames].map((name) => [name, createHash('sha256').update(readFileSync(join(OUT, `${name}.cjs`))).digest('hex').slice(0, 16)]),
  );
  // The entry: a small ESM loader (node: built-ins only) that compiles the scripts with their caches.
  const loader = await build({
    ...common,
    sourcemap: false,
    format: 'esm',
    entryPoints: [{ in: 'session-host/code-cache/loader.ts', out: 'session-host' }],
    outExtension: { '.js': '.mjs' },
    define: { __WA_HOST_BUNDLE_IDS__: JSON.stringify(ids) },
  });
  const results = [baileys, host, loader, ...chunks];
  // Files only: a plugin's virtual module or a `define` is no input the freshness check could stat
  // (one would make every bundle stale, and every test run rebuild it under the others' feet).
  const inputs = Object.fromEntries(Object.entries(Object.assign({}, ...results.map((r) => r.metafile.inputs))).filter(([f]) => existsSync(join(ROOT, f))));
  // Per output file: its imports and the inputs in it.
  const outputs = Object.fromEntries(
    results.flatMap((r) => Object.entries(r.metafile.outputs)).map(([file, o]) => [file, { bytes: o.bytes, imports: o.imports, inputs: Object.keys(o.inputs) }]),
  );
  const patchedInput = join('node_modules', '@whiskeysockets', 'baileys', 'lib', 'Socket', 'messages-recv.js');
  if (!(patchedInput in baileys.metafile.inputs)) throw new Error(`the host bundle did not take Baileys' receive path from ${patchedInput}`);
  writeFileSync(META, JSON.stringify({ inputs, outputs, ids }));
  return ENTRY;
}

/** The names a package's ESM entry exports, from an esbuild metafile (nothing is written). */
async function exportNames(entry) {
  const r = await build({ absWorkingDir: ROOT, entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, outdir: OUT, external: EXTERNAL, logLevel: 'error' });
  return Object.values(r.metafile.outputs).flatMap((o) => o.exports ?? []);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !hostBundleStale()) process.exit(0);
  const started = Date.now();
  await buildHostBundle();
  process.stdout.write(`session host bundled into dist/host/ in ${Date.now() - started} ms\n`);
}
