import { legacyFileOfKey, legacyKey } from './layout.js';
import type { AuthFiles } from './types.js';

/**
 * The original worker's layout: one object per Baileys file under `sessions/<id>/` in the bucket
 * (`creds.json`, `pre-key-*.json`, `session-*.json`, `sender-key-*.json`,
 * `app-state-sync-key-*.json`, `app-state-sync-version-*.json`, ...). It is only read, never
 * changed: an operator can still roll back to the original worker.
 */
export const LEGACY_CREDS = 'creds.json';

/** Legacy file names found in a listing of the session prefix; empty without `creds.json`. */
export function legacyFilesIn(sessionId: string, keys: readonly string[]): string[] {
  const names = keys.map((key) => legacyFileOfKey(sessionId, key)).filter((name): name is string => name !== null);
  return names.includes(LEGACY_CREDS) ? names.sort() : [];
}

/** Downloads the legacy files with bounded concurrency; a file gone in between is left out. */
export async function loadLegacyFiles(
  sessionId: string,
  names: readonly string[],
  get: (key: string) => Promise<Buffer | null>,
  concurrency = 16,
): Promise<AuthFiles> {
  const files: AuthFiles = new Map();
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++] as string;
      const data = await get(legacyKey(sessionId, name));
      if (data) files.set(name, data);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return files;
}
