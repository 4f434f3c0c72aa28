/**
 * Pure parts of the host's V8 code cache (issue 15): which argv names the folder, and the file a
 * cache lives in. A file name holds everything V8 checks before it accepts a cache (the script,
 * the V8 version, the flags), so a stale file is simply never opened; V8's own check
 * (`cachedDataRejected`) still guards the rest.
 */
import { createHash } from 'node:crypto';
import { CODE_CACHE_ARG } from '../../src/ipc/host-argv.js';

/** `--code-cache <dir>` taken out of argv: the folder (if any) and argv as the host expects it. */
export function takeCodeCacheArg(argv: readonly string[]): { dir: string | undefined; argv: string[] } {
  const i = argv.indexOf(CODE_CACHE_ARG);
  if (i < 0) return { dir: undefined, argv: [...argv] };
  const dir = argv[i + 1];
  return { dir: dir && !dir.startsWith('--') ? dir : undefined, argv: [...argv.slice(0, i), ...argv.slice(dir && !dir.startsWith('--') ? i + 2 : i + 1)] };
}

/** Node/V8 flags that change compiled code; preloads (`--import x`, `--require x`) do not. */
export function codeFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '--import' || a === '--require' || a === '-r') {
      i++;
      continue;
    }
    if (a.startsWith('--import=') || a.startsWith('--require=')) continue;
    out.push(a);
  }
  return out;
}

/** `<name>-<bundle id>-<node version and flags hash>.v8cache`. */
export function cacheFileName(name: string, bundleId: string, nodeVersion: string, execArgv: readonly string[]): string {
  const runtime = createHash('sha256').update(nodeVersion).update('\0').update(codeFlags(execArgv).join(' ')).digest('hex').slice(0, 12);
  return `${name}-${bundleId}-${runtime}.v8cache`;
}

/** Cache files of `name` that are not `current`: left by an older bundle, Node or flag set. */
export function staleCacheFiles(files: readonly string[], name: string, current: string): string[] {
  return files.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.v8cache') && f !== current);
}
