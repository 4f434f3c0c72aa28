/**
 * Experiment (issue 15, phase 1): the session host as one CommonJS bundle (bench/snapshot/entry.ts)
 * and a Node 20 startup snapshot of it (`node --snapshot-blob host.blob --build-snapshot host.cjs`).
 * Same sources and esbuild options as scripts/build-host.mjs, format cjs, no splitting, plus what the
 * snapshot builder needs (it has no WebAssembly, and some Node built-ins cannot be serialised):
 *   1. whatsapp-rust-bridge's top-level WebAssembly init becomes a function the entry calls after
 *      deserialisation (a deserialize callback);
 *   2. Baileys' LT_HASH_ANTI_TAMPERING (a wasm object) is created on first use;
 *   3. the built-ins in LAZY_BUILTINS are Proxies that load the real module on first use after
 *      deserialisation. While building, top-level code may touch only the keys listed there
 *      (TOP_LEVEL_KEYS); any other key throws, so the build fails loudly instead of baking a
 *      broken value into the blob.
 * Usage: `node bench/snapshot/build.mjs` → dist/bench/snapshot/host.cjs + host.blob
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HOST_CJS_OPTIONS, IMPORT_META_BANNER } from '../code-cache/build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'dist', 'bench', 'snapshot');
export const SNAPSHOT_BUNDLE = join(OUT, 'host.cjs');
export const SNAPSHOT_BLOB = join(OUT, 'host.blob');

const LAZY_BUILTINS = ['http', 'https', 'http2', 'tls', 'net', 'dns', 'child_process', 'worker_threads', 'async_hooks', 'module'];
/**
 * What top-level code (evaluated into the snapshot) reads from a lazy built-in, and what it gets.
 * 'undefined': absent on Node 20 anyway; 'true': the value a session host's main thread has;
 * 'fn': a function that calls the real one later; 'class': a constructor that builds the real one.
 */
const TOP_LEVEL_KEYS = {
  http: { websocketMask: 'undefined', websocketUnmask: 'undefined' },
  worker_threads: { isMainThread: 'true', Worker: 'class' },
  module: { createRequire: 'fn' },
};

function lazyBuiltinSource(name) {
  const own = Object.keys(createRequire(import.meta.url)(`node:${name}`));
  return `
const NAME = ${JSON.stringify(name)}, KEYS = ${JSON.stringify(own)}, TOP = ${JSON.stringify(TOP_LEVEL_KEYS[name] ?? {})};
let real;
const load = () => (real ??= process.getBuiltinModule('node:' + NAME));
const building = () => globalThis[Symbol.for('wa.snapshot.building')] === true;
const stub = (k) => {
  switch (TOP[k]) {
    case 'undefined': return undefined;
    case 'true': return true;
    case 'fn': return function (...a) { return load()[k].apply(this, a); };
    case 'class': return function (...a) { return new (load()[k])(...a); };
  }
  if (k === '__esModule' || typeof k === 'symbol') return undefined;
  throw new Error('snapshot build: top-level use of node:' + NAME + '.' + String(k) + ' (add it to TOP_LEVEL_KEYS in bench/snapshot/build.mjs or defer it)');
};
module.exports = new Proxy({}, {
  get(_, k) { return building() ? stub(k) : load()[k]; },
  has(_, k) { return building() ? KEYS.includes(k) : k in load(); },
  ownKeys() { return building() ? [...KEYS] : Reflect.ownKeys(load()); },
  getOwnPropertyDescriptor(_, k) {
    if (building()) return KEYS.includes(k) ? { value: undefined, writable: true, enumerable: true, configurable: true } : undefined;
    const d = Object.getOwnPropertyDescriptor(load(), k);
    return d && { ...d, configurable: true };
  },
  set(_, k, v) { if (building()) throw new Error('snapshot build: top-level write to node:' + NAME + '.' + String(k)); load()[k] = v; return true; },
});`;
}

/**
 * First lines of the bundle: the building flag the lazy built-ins read, and a guard that makes
 * any randomness drawn while building throw. A value drawn then would be baked into the blob and
 * be the same in every host (ids, keys, nonces).
 */
const BUILD_GUARD = `
globalThis[Symbol.for('wa.snapshot.building')] = Boolean(require('node:v8').startupSnapshot.isBuildingSnapshot());
(() => {
  const building = () => globalThis[Symbol.for('wa.snapshot.building')] === true;
  const guard = (obj, key, where) => {
    const orig = obj[key];
    if (typeof orig !== 'function') return;
    obj[key] = function (...a) {
      if (building()) throw new Error('snapshot build: ' + where + ' called at top level; its value would be the same in every host');
      return orig.apply(this, a);
    };
  };
  const c = require('node:crypto');
  for (const k of ['randomBytes', 'randomFillSync', 'randomFill', 'randomUUID', 'randomInt', 'getRandomValues', 'generateKeyPairSync', 'generateKeyPair']) guard(c, k, 'crypto.' + k);
  guard(c.webcrypto, 'getRandomValues', 'crypto.webcrypto.getRandomValues');
  if (globalThis.crypto && globalThis.crypto !== c.webcrypto) guard(globalThis.crypto, 'getRandomValues', 'globalThis.crypto.getRandomValues');
  guard(Math, 'random', 'Math.random');
})();`;

const snapshotPatches = {
  name: 'snapshot-patches',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path.replace('node:', ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltinSource(args.path), loader: 'js' }));
    b.onLoad({ filter: /baileys[\\/]lib[\\/]Utils[\\/]lt-hash\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const from = 'export const LT_HASH_ANTI_TAMPERING = new LTHashAntiTampering();';
      if (!src.includes(from)) throw new Error(`${args.path}: anchor not found`);
      const to = 'let __lt; export const LT_HASH_ANTI_TAMPERING = new Proxy({}, { get(_, k) { __lt ??= new LTHashAntiTampering(); const v = __lt[k]; return typeof v === "function" ? v.bind(__lt) : v; } });';
      return { contents: src.replace(from, to), loader: 'js' };
    });
    b.onLoad({ filter: /whatsapp-rust-bridge[\\/]dist[\\/]index\.js$/ }, (args) => {
      let src = readFileSync(args.path, 'utf8');
      const start = src.indexOf('var forceNoSimd');
      const end = src.indexOf('var __wasmSimdActive = simdUsed;');
      if (start < 0 || end < 0) throw new Error(`${args.path}: anchors not found`);
      const block = src.slice(start, end).replace(/^var /gm, '');
      src = `${src.slice(0, start)}var forceNoSimd, simdSupported, simdUsed = false, __wasmSimdActive = false;\nglobalThis[Symbol.for('wa.snapshot.initWasm')] = () => {\n${block}\n__wasmSimdActive = simdUsed;};\n${src.slice(end + 'var __wasmSimdActive = simdUsed;'.length)}`;
      return { contents: src, loader: 'js' };
    });
  },
};

export async function buildSnapshotBundle() {
  await build({
    ...HOST_CJS_OPTIONS,
    entryPoints: { host: 'bench/snapshot/entry.ts' },
    outdir: OUT,
    banner: { js: `${IMPORT_META_BANNER}\n${BUILD_GUARD}` },
    plugins: [snapshotPatches],
  });
  return SNAPSHOT_BUNDLE;
}

export async function buildSnapshotBlob(execArgv = []) {
  await buildSnapshotBundle();
  execFileSync(process.execPath, [...execArgv, '--snapshot-blob', SNAPSHOT_BLOB, '--build-snapshot', SNAPSHOT_BUNDLE], { cwd: OUT, stdio: 'inherit' });
  return SNAPSHOT_BLOB;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${await buildSnapshotBlob(process.argv.slice(2))}\n`);
