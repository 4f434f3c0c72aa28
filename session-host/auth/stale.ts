import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fsyncDir } from '../../src/fs/atomic-write.js';
import type { GenerationLabel } from './folder.js';

/**
 * Local auth folders of another pairing than the published head (design.md §7) are never used
 * and never deleted on the spot: they are moved to `DATA_DIR/stale/` — an operator can still look
 * at (or restore) what a worker had — and pruned after `STALE_RETENTION_MS`.
 *
 * Entry names: `<folder name>.<lineage or "unknown">.g<generation>.<moved at, ms>`.
 */
export const STALE_RETENTION_MS = 7 * 24 * 3600 * 1000;
const ENTRY = /\.g\d+\.(\d{13,})$/;

/** Session folder names reach 234 characters (src/session-id.ts); the entry must stay under 255. */
const MAX_FOLDER_PART = 180;

export function staleEntryName(folderName: string, label: GenerationLabel, movedAt: number): string {
  return `${folderName.slice(0, MAX_FOLDER_PART)}.${label.lineage ?? 'unknown'}.g${label.generation}.${movedAt}`;
}

/** Pure: entries of the stale folder whose retention is over (names that are not ours are left alone). */
export function staleEntriesToPrune(names: readonly string[], now: number, retentionMs = STALE_RETENTION_MS): string[] {
  return names.filter((name) => {
    const match = ENTRY.exec(name);
    return match !== null && now - Number(match[1]) > retentionMs;
  });
}

/** Moves a folder into `staleRoot` (same file system: a rename); returns where it went. */
export async function moveAside(dir: string, staleRoot: string, label: GenerationLabel, now = Date.now()): Promise<string> {
  await mkdir(staleRoot, { recursive: true });
  const target = join(staleRoot, staleEntryName(basename(dir), label, now));
  await rename(dir, target);
  await fsyncDir(staleRoot);
  return target;
}

/** Deletes the stale entries whose retention is over; returns their names. Cheap: one readdir. */
export async function pruneStale(staleRoot: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(staleRoot);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const doomed = staleEntriesToPrune(names, now);
  for (const name of doomed) await rm(join(staleRoot, name), { recursive: true, force: true });
  return doomed;
}
