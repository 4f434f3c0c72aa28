import { describe, expect, it } from 'vitest';
import { classifyBootFailure } from '../../session-host/boot-failure.js';
import { EXIT, classifyExit, isRestartable, isTransientBootFailure } from '../../src/exit-codes.js';

describe('boot failures (issue 13 §2)', () => {
  it('storage down or timing out and a held lock are transient, with their own exit codes', () => {
    expect(classifyBootFailure('STORAGE_UNAVAILABLE')).toEqual({ reason: 'storage_unavailable', exitCode: EXIT.STORAGE_UNAVAILABLE });
    expect(classifyBootFailure('STORAGE_TIMEOUT')).toEqual({ reason: 'storage_unavailable', exitCode: EXIT.STORAGE_UNAVAILABLE });
    expect(classifyBootFailure('LOCK_HELD')).toEqual({ reason: 'lock_held', exitCode: EXIT.LOCK_HELD });
    for (const code of [EXIT.STORAGE_UNAVAILABLE, EXIT.LOCK_HELD]) {
      const kind = classifyExit(code, null);
      expect(isTransientBootFailure(kind)).toBe(true);
      expect(isRestartable(kind)).toBe(false); // not a crash: no quarantine, no immediate restart
    }
  });

  it('storage that answers but refuses us, unreadable snapshots and anything else need a human', () => {
    for (const code of ['STORAGE_AUTH_FAILED', 'STORAGE_BAD_REQUEST', 'STORAGE_NO_READABLE_SNAPSHOT', 'SNAPSHOT_WRONG_KEY']) {
      expect(classifyBootFailure(code)).toEqual({ reason: 'storage_error', exitCode: EXIT.INIT_FAILED });
    }
    expect(classifyBootFailure('EACCES')).toEqual({ reason: 'init_failed', exitCode: EXIT.INIT_FAILED });
    expect(isTransientBootFailure(classifyExit(EXIT.INIT_FAILED, null))).toBe(false);
  });
});
