import { basename } from 'node:path';
import { errorCode, errorMessage } from '../src/errors.js';
import { StorageError, StorageErrorCode } from '../src/storage/errors.js';
import type { Logger } from '../src/logger.js';
import { lineageOf } from '../src/storage/lineage.js';
import type { Head, SnapshotStore } from '../src/storage/types.js';
import { hasPairedCreds } from './auth/files.js';
import type { AuthFolder } from './auth/folder.js';
import { moveAside, pruneStale } from './auth/stale.js';

export type RestoreSource = 'local' | 'remote' | 'none';

export interface LocalState {
  paired: boolean;
  generation: number;
  /** Lineage of the folder's content (its creds), null when it has none. */
  lineage: string | null;
}

/**
 * Pure choice between the local folder and remote storage (design.md §7):
 * - generations compare only within one pairing (lineage): of the same lineage the higher wins and
 *   a tie goes to local (every local change after an upload carries a higher label);
 * - a paired local folder of another lineage than the remote head never wins, whatever its
 *   generation (generations restart after a re-pair): it is moved aside, never deleted;
 * - unpaired local content never wins over anything remote, and "remote unknown" (storage down)
 *   keeps a paired local copy rather than pairing again.
 */
export function chooseSource(local: LocalState, remote: Head | null | 'unknown'): { source: RestoreSource; moveLocalAside: boolean } {
  if (remote === 'unknown') return { source: local.paired ? 'local' : 'none', moveLocalAside: false };
  if (!local.paired) return { source: 'remote', moveLocalAside: false };
  if (remote === null) return { source: 'local', moveLocalAside: false };
  if (remote.lineage !== null && local.lineage !== null && remote.lineage !== local.lineage) return { source: 'remote', moveLocalAside: true };
  return { source: local.generation >= remote.generation ? 'local' : 'remote', moveLocalAside: false };
}

export interface RestoredAuth {
  files: Map<string, Buffer>;
  /** Label of the local content after the restore. */
  generation: number;
  /** Newest generation of this content's lineage known to be in remote storage (0 = none). */
  uploaded: number;
  /** Pairing of the content (null: nothing paired yet). */
  lineage: string | null;
  restoredFrom: 'local' | 'remote' | 'legacy' | 'none';
}

/**
 * Brings the local folder up to the best auth state there is. Throws `STORAGE_*` errors when the
 * only auth there could be is remote and unreadable: that must fail the start, never look like
 * "no auth, show a QR". `staleDir` receives local folders of another pairing (stale.ts).
 */
export async function restoreAuth(sessionId: string, folder: AuthFolder, store: SnapshotStore, logger: Logger, staleDir: string): Promise<RestoredAuth> {
  const pruned = await pruneStale(staleDir).catch(() => []);
  if (pruned.length > 0) logger.info({ pruned }, 'pruned stale auth folders past their retention');
  const { files, label } = await folder.load();
  const lineage = lineageOf(files);
  // A label of another lineage does not describe this content (it cannot happen with whole-folder
  // restores, only by hand): the content counts as unlabelled.
  const labelled = label.lineage === null || label.lineage === lineage ? label.generation : 0;
  const local: LocalState = { paired: hasPairedCreds(files), generation: labelled, lineage };
  let remote: Head | null | 'unknown';
  try {
    remote = await store.head(sessionId);
  } catch (err) {
    if (!local.paired) throw err;
    logger.warn({ code: errorCode(err), err: errorMessage(err) }, 'remote storage unreachable; starting from the local auth folder');
    remote = 'unknown';
  }

  const { source, moveLocalAside } = chooseSource(local, remote);
  logger.info({ source, local, remote }, 'auth restore decision');
  if (source === 'local') {
    const uploaded = typeof remote === 'object' && remote !== null ? remote.generation : 0;
    // A paired folder without a label (or behind a remote that lacks it) is newer than anything remote.
    const generation = Math.max(local.generation, local.generation === uploaded ? uploaded : uploaded + 1);
    if (generation !== label.generation || lineage !== label.lineage) await folder.writeGeneration({ generation, lineage });
    return { files, generation, uploaded, lineage, restoredFrom: 'local' };
  }
  if (moveLocalAside) {
    const to = await moveAside(folder.dir, staleDir, { generation: local.generation, lineage });
    logger.warn({ localLineage: lineage, localGeneration: local.generation, remote, movedTo: basename(to) }, 'local auth folder belongs to another pairing than the published one: moved aside, restoring the published one');
  }

  // The head is null for a legacy-only session; readNewest imports it.
  const read = await store.readNewest(sessionId);
  if (!read) {
    if (remote !== null) {
      throw new StorageError(StorageErrorCode.NO_READABLE_SNAPSHOT, `storage reports generation ${remote === 'unknown' ? '?' : remote.generation} for session ${sessionId} but returned nothing`);
    }
    // Nothing anywhere: a fresh pairing. Unpaired leftovers (an abandoned QR) are dropped.
    if (files.size > 0) await folder.wipe();
    return { files: new Map(), generation: 0, uploaded: 0, lineage: null, restoredFrom: 'none' };
  }
  if (!hasPairedCreds(read.files)) {
    throw new StorageError(StorageErrorCode.NO_READABLE_SNAPSHOT, `remote snapshot ${read.meta.generation} of session ${sessionId} holds no paired creds`);
  }
  if (read.skipped.length > 0) logger.warn({ skipped: read.skipped, restored: read.meta.generation }, 'newer snapshots were unreadable; restored an older one');
  const restored = read.meta.lineage ?? lineageOf(read.files);
  await folder.replaceAll(read.files, { generation: read.meta.generation, lineage: restored });
  return {
    files: read.files,
    generation: read.meta.generation,
    uploaded: read.meta.generation,
    lineage: restored,
    restoredFrom: read.source === 'legacy' ? 'legacy' : 'remote',
  };
}
