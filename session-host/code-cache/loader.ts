/**
 * Entry of a session host (`dist/host/session-host.mjs`, scripts/build-host.mjs; issue 15). The host
 * itself is CommonJS (`host.cjs`, which requires Baileys from `baileys.cjs` and its lazy chunks —
 * `minio.cjs`, `media.cjs`, ... — where it first uses them): only a classic script takes a V8 code
 * cache on Node 20 (`vm.Script` `cachedData`; Node 22's compile cache is not on Node 20). Every
 * bundle file is compiled here, through the `require` this loader gives each of them, and recorded
 * (the host reports them in its boot cost line). With `--code-cache <dir>` each script is compiled
 * from its cache file when there is one; the host writes missing ones after its first connect
 * (hook.ts), so the functions compiled lazily for restore and login are in them. A missing, stale
 * or refused cache only means a compile from source: nothing about the cache can stop a host.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cacheFileName, staleCacheFiles, takeCodeCacheArg } from './cache-files.js';
import { CODE_CACHE_HOOK, type CodeCacheHook, type CodeCacheState } from './hook.js';

/** sha256 prefixes of the bundle's scripts by name (host, baileys, lazy chunks), written in by the build. */
declare const __WA_HOST_BUNDLE_IDS__: Record<string, string>;

interface Compiled {
  name: string;
  script: vm.Script;
  cacheFile: string | undefined;
  /** mtime of the cache file this host read (undefined: there was none). */
  readMtimeMs: number | undefined;
  /** The script ran from its cache file. */
  cached: boolean;
  rejected: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const { dir, argv } = takeCodeCacheArg(process.argv);
process.argv.splice(0, process.argv.length, ...argv);

// Module internals the CommonJS loader uses itself; typed here because @types/node hides them.
const CjsModule = Module as unknown as {
  new (id: string, parent?: unknown): { exports: unknown; filename: string; paths: string[]; loaded: boolean };
  _cache: Record<string, { exports: unknown } | undefined>;
  _nodeModulePaths(from: string): string[];
};

const compiled: Compiled[] = [];

function compile(name: string, file: string): Compiled {
  const source = readFileSync(file, 'utf8');
  const cacheFile = dir === undefined ? undefined : join(dir, cacheFileName(name, __WA_HOST_BUNDLE_IDS__[name]!, process.version, process.execArgv));
  let cachedData: Buffer | undefined;
  let readMtimeMs: number | undefined;
  try {
    if (cacheFile !== undefined) {
      readMtimeMs = statSync(cacheFile).mtimeMs;
      cachedData = readFileSync(cacheFile);
    }
  } catch {
    cachedData = undefined; // none yet (or unreadable: the same to us)
  }
  const options = { filename: file, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER };
  // The file is already a CommonJS wrapper function (scripts/build-host.mjs): no wrapped copy.
  const script = new vm.Script(source, cachedData ? { ...options, cachedData } : options);
  const rejected = cachedData !== undefined && script.cachedDataRejected === true;
  const c = { name, script, cacheFile, readMtimeMs, cached: cachedData !== undefined && !rejected, rejected };
  compiled.push(c);
  return c;
}

/**
 * The `require` of a bundle file: `./<name>.cjs` of this bundle is compiled here (once, registered
 * in Node's CommonJS cache, where a preload may already have put it); anything else is Node's.
 */
function requireFor(file: string): NodeJS.Require {
  const node = createRequire(file);
  const own = (id: string): unknown => {
    const name = /^\.\/([\w-]+)\.cjs$/.exec(id)?.[1];
    if (name === undefined || __WA_HOST_BUNDLE_IDS__[name] === undefined) return node(id);
    const path = join(here, `${name}.cjs`);
    return CjsModule._cache[path]?.exports ?? run(compile(name, path), path);
  };
  return Object.assign(own, { resolve: node.resolve, cache: node.cache, main: node.main, extensions: node.extensions }) as NodeJS.Require;
}

/** Runs a compiled CommonJS file as Node's own loader would, registered under its path. */
function run(c: Compiled, file: string): unknown {
  const mod = new CjsModule(file);
  mod.filename = file;
  mod.paths = CjsModule._nodeModulePaths(dirname(file));
  CjsModule._cache[file] = mod;
  const fn = c.script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, requireFor(file), mod, file, dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/** Writes one script's cache unless it ran from one, or another host wrote it meanwhile. */
function write(c: Compiled, cacheDir: string): void {
  if (c.cacheFile === undefined || c.cached) return;
  // Not recursive: DATA_DIR exists, and Node's recursive mkdir never returns under /proc.
  if (!existsSync(cacheDir)) mkdirSync(cacheDir);
  // One writer per file at a time; a lock older than a minute is a killed writer's.
  const lock = `${c.cacheFile}.lock`;
  try {
    closeSync(openSync(lock, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (Date.now() - statSync(lock).mtimeMs < 60_000) return;
    unlinkSync(lock);
    closeSync(openSync(lock, 'wx'));
  }
  try {
    // Cold hosts boot together: the first to connect writes, the rest find its file and stop.
    const now = existsSync(c.cacheFile) ? statSync(c.cacheFile).mtimeMs : undefined;
    if (now !== undefined && (c.readMtimeMs === undefined || now > c.readMtimeMs)) return;
    const tmp = `${c.cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, c.script.createCachedData());
      renameSync(tmp, c.cacheFile);
    } catch (err) {
      rmSync(tmp, { force: true }); // a full disk leaves no half file behind
      throw err;
    }
    const current = c.cacheFile.slice(cacheDir.length + 1);
    for (const f of staleCacheFiles(readdirSync(cacheDir), c.name, current)) unlinkSync(join(cacheDir, f));
  } finally {
    unlinkSync(lock);
  }
}

let produced = false;
const hook: CodeCacheHook = {
  get state(): CodeCacheState {
    if (dir === undefined) return 'off';
    if (compiled.some((c) => c.rejected)) return 'rejected';
    return compiled.every((c) => c.cached) ? 'used' : 'cold';
  },
  get files() {
    return compiled.map((c) => `${c.name}.cjs`);
  },
  produce() {
    if (produced || dir === undefined) return undefined;
    produced = true;
    try {
      for (const c of compiled) write(c, dir);
      return undefined;
    } catch (err) {
      // An optimisation only: a full disk or a read-only folder costs the next host a compile.
      return `${dir}: ${(err as Error).message}`;
    }
  },
};
(globalThis as Record<symbol, CodeCacheHook>)[CODE_CACHE_HOOK] = hook;
// Baileys first, as host.cjs's first require would; a preload may have loaded it already.
requireFor(join(here, 'host.cjs'))('./baileys.cjs');
const hostFile = join(here, 'host.cjs');
run(compile('host', hostFile), hostFile);
