/**
 * Experiment (issue 15 part 2): the session host as ONE CommonJS bundle (bench/code-cache/entry.ts,
 * which runs session-host/main.ts), for bench/code-cache/loader.cjs to compile with a V8 code cache.
 * Same sources and esbuild options as scripts/build-host.mjs, but format cjs without splitting.
 * Usage: `node bench/code-cache/build.mjs` → dist/bench/code-cache/host.cjs
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_CACHE_BUNDLE = join(ROOT, 'dist', 'bench', 'code-cache', 'host.cjs');

/** The experiments' one-file CommonJS host bundle options (bench/snapshot/build.mjs adds its patches). */
export const HOST_CJS_OPTIONS = {
  absWorkingDir: ROOT,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['sharp', 'jimp', 'link-preview-js', 'audio-decode', 'qrcode-terminal', '@img/*'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS has no import.meta; the bundle's own file URL stands in for it.
  define: { 'import.meta.url': '__waImportMetaUrl' },
};
export const IMPORT_META_BANNER = "const __waImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

export async function buildCodeCacheBundle() {
  await build({
    ...HOST_CJS_OPTIONS,
    entryPoints: { host: 'bench/code-cache/entry.ts' },
    outdir: dirname(CODE_CACHE_BUNDLE),
    banner: { js: IMPORT_META_BANNER },
  });
  return CODE_CACHE_BUNDLE;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${await buildCodeCacheBundle()}\n`);
