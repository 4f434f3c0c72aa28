import { WorkerError, errorCode, errorMessage } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { SnapshotStore } from '../src/storage/types.js';
import { hasPairedCreds } from './auth/files.js';
import type { AuthFolder } from './auth/folder.js';

export type RestoreSource = 'local' | 'remote' | 'none';

/**
 * Pure choice between the local folder and remote storage: the higher generation wins; a tie goes
 * to local (its content is at least as new: every local change after an upload carries a higher
 * label). Unpaired local content never wins over anything remote, and "remote unknown" (storage
 * down) keeps a paired local copy rather than pairing again.
 */
export function chooseSource(input: { localPaired: boolean; localGeneration: number; remoteHead: number | null | 'unknown' }): RestoreSource {
  const { localPaired, localGeneration, remoteHead } = input;
  if (localPaired && (remoteHead === null || remoteHead === 'unknown' || localGeneration >= remoteHead)) return 'local';
  if (remoteHead === 'unknown') return 'none';
  return 'remote';
}

export interface RestoredAuth {
  files: Map<string, Buffer>;
  /** Label of the local content after the restore. */
  generation: number;
  /** Newest generation known to be in remote storage (0 = none). */
  uploaded: number;
  restoredFrom: 'local' | 'remote' | 'legacy' | 'none';
}

/**
 * Brings the local folder up to the best auth state there is. Throws `STORAGE_*` errors when the
 * only auth there could be is remote and unreadable: that must fail the start, never look like
 * "no auth, show a QR".
 */
export async function restoreAuth(sessionId: string, folder: AuthFolder, store: SnapshotStore, logger: Logger): Promise<RestoredAuth> {
  const local = await folder.load();
  const localPaired = hasPairedCreds(local.files);
  let remoteHead: number | null | 'unknown';
  try {
    remoteHead = await store.headGeneration(sessionId);
  } catch (err) {
    if (!localPaired) throw err;
    logger.warn({ code: errorCode(err), err: errorMessage(err) }, 'remote storage unreachable; starting from the local auth folder');
    remoteHead = 'unknown';
  }

  const source = chooseSource({ localPaired, localGeneration: local.generation, remoteHead });
  logger.info({ source, localPaired, localGeneration: local.generation, remoteHead }, 'auth restore decision');
  if (source === 'local') {
    const uploaded = typeof remoteHead === 'number' ? remoteHead : 0;
    // A paired folder without a label (or behind a remote that lacks it) is newer than anything remote.
    const generation = Math.max(local.generation, local.generation === uploaded ? uploaded : uploaded + 1);
    if (generation !== local.generation) await folder.writeGeneration(generation);
    return { files: local.files, generation, uploaded, restoredFrom: 'local' };
  }

  // headGeneration is null for a legacy-only session; readNewest imports it.
  const read = await store.readNewest(sessionId);
  if (!read) {
    if (remoteHead !== null) {
      throw new WorkerError('STORAGE_NO_READABLE_SNAPSHOT', `storage reports generation ${remoteHead} for session ${sessionId} but returned nothing`);
    }
    // Nothing anywhere: a fresh pairing. Unpaired leftovers (an abandoned QR) are dropped.
    if (local.files.size > 0) await folder.wipe();
    return { files: new Map(), generation: 0, uploaded: 0, restoredFrom: 'none' };
  }
  if (!hasPairedCreds(read.files)) {
    throw new WorkerError('STORAGE_NO_READABLE_SNAPSHOT', `remote snapshot ${read.meta.generation} of session ${sessionId} holds no paired creds`);
  }
  if (read.skipped.length > 0) logger.warn({ skipped: read.skipped, restored: read.meta.generation }, 'newer snapshots were unreadable; restored an older one');
  await folder.replaceAll(read.files, read.meta.generation);
  return {
    files: read.files,
    generation: read.meta.generation,
    uploaded: read.meta.generation,
    restoredFrom: read.source === 'legacy' ? 'legacy' : 'remote',
  };
}
