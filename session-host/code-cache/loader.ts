/**
 * Entry of a session host (`dist/host/session-host.mjs`, scripts/build-host.mjs; issue 15). The host
 * itself is CommonJS (`host.cjs`, which requires Baileys from `baileys.cjs`): only a classic script
 * takes a V8 code cache on Node 20 (`vm.Script` `cachedData`; Node 22's compile cache is not on
 * Node 20). With `--code-cache <dir>` each script is compiled from its cache file when there is
 * one; the host writes missing ones after its first connect (hook.ts), so the functions compiled
 * lazily for restore and login are in them. A missing, stale or refused cache only means a compile
 * from source: nothing about the cache can stop a host from booting.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cacheFileName, staleCacheFiles, takeCodeCacheArg } from './cache-files.js';
import { CODE_CACHE_HOOK, type CodeCacheHook, type CodeCacheState } from './hook.js';

/** sha256 prefixes of the two scripts, written in by the build (scripts/build-host.mjs). */
declare const __WA_HOST_BUNDLE_IDS__: { baileys: string; host: string };

interface Compiled {
  script: vm.Script;
  cacheFile: string | undefined;
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
  _cache: Record<string, unknown>;
  _nodeModulePaths(from: string): string[];
  wrap(source: string): string;
};

function compile(name: keyof typeof __WA_HOST_BUNDLE_IDS__, file: string): Compiled {
  const source = readFileSync(file, 'utf8');
  const cacheFile = dir === undefined ? undefined : join(dir, cacheFileName(name, __WA_HOST_BUNDLE_IDS__[name], process.version, process.execArgv));
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile === undefined ? undefined : readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // none yet
  }
  const options = { filename: file, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER };
  const script = new vm.Script(CjsModule.wrap(source), cachedData ? { ...options, cachedData } : options);
  const rejected = cachedData !== undefined && script.cachedDataRejected === true;
  return { script, cacheFile, cached: cachedData !== undefined && !rejected, rejected };
}

/** Runs a compiled CommonJS file as Node's own loader would, registered under its path. */
function run(c: Compiled, file: string): void {
  const mod = new CjsModule(file);
  mod.filename = file;
  mod.paths = CjsModule._nodeModulePaths(dirname(file));
  CjsModule._cache[file] = mod;
  const fn = c.script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
}

function write(c: Compiled, name: string): void {
  if (c.cacheFile === undefined || c.cached || dir === undefined) return;
  // One writer per file at a time; a lock older than a minute is a killed writer's.
  const lock = `${c.cacheFile}.lock`;
  try {
    // Not recursive: DATA_DIR exists, and Node's recursive mkdir never returns under /proc.
    if (!existsSync(dir)) mkdirSync(dir);
    try {
      closeSync(openSync(lock, 'wx'));
    } catch {
      if (Date.now() - statSync(lock).mtimeMs < 60_000) return;
      unlinkSync(lock);
      closeSync(openSync(lock, 'wx'));
    }
    const tmp = `${c.cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, c.script.createCachedData());
    renameSync(tmp, c.cacheFile);
    unlinkSync(lock);
    const current = c.cacheFile.slice(dir.length + 1);
    for (const f of staleCacheFiles(readdirSync(dir), name, current)) unlinkSync(join(dir, f));
  } catch {
    // An optimisation only: a full disk or a read-only folder costs the next host a compile.
  }
}

const baileysFile = join(here, 'baileys.cjs');
const hostFile = join(here, 'host.cjs');
const compiled: [string, Compiled][] = [];
// Loaded already (by a preload): that instance stays.
if (CjsModule._cache[baileysFile] === undefined) {
  const c = compile('baileys', baileysFile);
  run(c, baileysFile);
  compiled.push(['baileys', c]);
}
const host = compile('host', hostFile);
compiled.push(['host', host]);

const state: CodeCacheState = dir === undefined ? 'off' : compiled.some(([, c]) => c.rejected) ? 'rejected' : compiled.every(([, c]) => c.cached) ? 'used' : 'cold';
let produced = false;
const hook: CodeCacheHook = {
  state,
  produce() {
    if (produced) return;
    produced = true;
    for (const [name, c] of compiled) write(c, name);
  },
};
(globalThis as Record<symbol, CodeCacheHook>)[CODE_CACHE_HOOK] = hook;
run(host, hostFile);
