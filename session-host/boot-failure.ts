import { EXIT } from '../src/exit-codes.js';
import type { FailureReason } from '../src/status.js';

/**
 * Why a host could not boot, and the exit code that tells the supervisor (pure). Storage that is
 * unreachable or timing out and a lock still held by a host on its way out clear by themselves:
 * the supervisor restarts those with backoff and shows `recovering` (issue 13 §2). Storage that
 * answers but refuses us (credentials, a bad request) or holds unreadable snapshots needs a human.
 */
export interface BootFailure {
  reason: FailureReason;
  exitCode: number;
}

const TRANSIENT_STORAGE = new Set(['STORAGE_UNAVAILABLE', 'STORAGE_TIMEOUT']);

export function classifyBootFailure(code: string): BootFailure {
  if (code === 'LOCK_HELD') return { reason: 'lock_held', exitCode: EXIT.LOCK_HELD };
  if (TRANSIENT_STORAGE.has(code)) return { reason: 'storage_unavailable', exitCode: EXIT.STORAGE_UNAVAILABLE };
  if (code.startsWith('STORAGE_') || code.startsWith('SNAPSHOT_')) return { reason: 'storage_error', exitCode: EXIT.INIT_FAILED };
  return { reason: 'init_failed', exitCode: EXIT.INIT_FAILED };
}
