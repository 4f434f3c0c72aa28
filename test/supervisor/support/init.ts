import type { HostInit } from '../../../src/ipc/protocol.js';
import { makeInit } from '../../support/host-harness.js';

/** A valid `init` for fixture hosts (they do not touch storage): the harness's init, tuned quiet and short. */
export function testInit(sessionId: string, isRecovery = false, dataDir = '/tmp/unused'): HostInit {
  return makeInit({ sessionId, dataDir, init: { storageTimeoutMs: 1000, qrMaxAttempts: 3, logLevel: 'silent', isRecovery } });
}
