import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sessionFileName } from './session-id.js';

/**
 * A logout that WhatsApp has not been told about yet (issue 13 §7): `DATA_DIR/logout-pending/<name>`.
 * The supervisor writes it when a logout is asked, before any host is told, so neither a host that
 * cannot connect nor a supervisor crash loses the request. Whichever host of the session next
 * holds the session lock reads it and logs out before anything else; it removes the marker only
 * once the device is logged out and the auth is deleted locally and remotely.
 *
 * Synchronous: one tiny file per operator action, and the actor applies effects synchronously.
 */
export function pendingLogoutPath(dataDir: string, sessionId: string): string {
  return join(dataDir, 'logout-pending', sessionFileName(sessionId));
}

export function markLogoutPending(dataDir: string, sessionId: string): void {
  const path = pendingLogoutPath(dataDir, sessionId);
  mkdirSync(join(dataDir, 'logout-pending'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify({ sessionId, requestedAt: new Date().toISOString() }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function isLogoutPending(dataDir: string, sessionId: string): boolean {
  return existsSync(pendingLogoutPath(dataDir, sessionId));
}

export function clearLogoutPending(dataDir: string, sessionId: string): void {
  rmSync(pendingLogoutPath(dataDir, sessionId), { force: true });
}
