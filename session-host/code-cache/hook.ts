/**
 * The one place the host and its loader meet (issue 15): the loader (loader.ts, the entry) puts a
 * hook on `globalThis` under a registered symbol; the host, bundled separately, finds it there.
 * A host started without the loader (a test fixture, `npm run dev`) finds none: `off`.
 */
import type { Logger } from '../../src/logger.js';

export type CodeCacheState = 'off' | 'cold' | 'used' | 'rejected';

export interface CodeCacheHook {
  /** What this host's scripts were compiled with so far: no cache folder, no file yet, the files, a file V8 refused. */
  readonly state: CodeCacheState;
  /** The bundle files the loader compiled so far, in order (`host.cjs`, `baileys.cjs`, lazy chunks). */
  readonly files: readonly string[];
  /** Writes the cache of every script compiled without one (at most once); the error of a write that failed. */
  produce(): string | undefined;
}

export const CODE_CACHE_HOOK = Symbol.for('wa-gateway.host-code-cache');

function hook(): CodeCacheHook | undefined {
  return (globalThis as Record<symbol, CodeCacheHook | undefined>)[CODE_CACHE_HOOK];
}

/** For the host's boot cost line: the cache state and the files this host really compiled. */
export function codeCacheReport(): { codeCache: CodeCacheState; hostFiles: readonly string[] } {
  const h = hook();
  return { codeCache: h?.state ?? 'off', hostFiles: h ? [...h.files] : [] };
}

/**
 * After the first connect and upload: the functions compiled for restore and login are in it. A
 * folder it cannot write (read-only, full) is one warn line: hosts then compile from source.
 */
export function produceCodeCache(logger: Logger): void {
  const failed = hook()?.produce();
  if (failed !== undefined) logger.warn({ error: failed }, 'host code cache not written: hosts compile their bundle from source');
}
