/**
 * The one place the host and its loader meet (issue 15): the loader (loader.ts, the entry) puts a
 * hook on `globalThis` under a registered symbol; the host, bundled separately, finds it there.
 * A host started without the loader (a test fixture, `npm run dev`) finds none: `off`.
 */
export type CodeCacheState = 'off' | 'cold' | 'used' | 'rejected';

export interface CodeCacheHook {
  /** What this host's scripts were compiled with: no cache folder, no file yet, the file, a file V8 refused. */
  readonly state: CodeCacheState;
  /** Writes the cache of every script compiled without one (never throws; at most once). */
  produce(): void;
}

export const CODE_CACHE_HOOK = Symbol.for('wa-gateway.host-code-cache');

function hook(): CodeCacheHook | undefined {
  return (globalThis as Record<symbol, CodeCacheHook | undefined>)[CODE_CACHE_HOOK];
}

export function codeCacheState(): CodeCacheState {
  return hook()?.state ?? 'off';
}

/** After the first connect and upload: the functions compiled for restore and login are in it. */
export function produceCodeCache(): void {
  hook()?.produce();
}
