import { IPC_PROTOCOL_VERSION, type HostInit } from '../../../src/ipc/protocol.js';

/** A valid `init` for fixture hosts (they do not touch storage). */
export function testInit(sessionId: string, isRecovery = false, dataDir = '/tmp/unused'): HostInit {
  return {
    type: 'init',
    protocol: IPC_PROTOCOL_VERSION,
    sessionId,
    workerId: 'test-worker',
    dataDir,
    storage: { driver: 'local', dataDir },
    storageTimeoutMs: 1000,
    encryptionKeys: [],
    qrMaxAttempts: 3,
    logLevel: 'silent',
    isRecovery,
  };
}
