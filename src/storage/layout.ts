import { sessionFileName } from '../session-id.js';
import { isSafeFileName } from './codec/payload.js';

/**
 * Every object key the storage layer uses is built here, and only from a validated session id.
 * Every prefix ends with `/`: listing `sessions/abc/` can never return `sessions/abc2/...`.
 *
 * `<name>` is `sessionFileName(id)` (src/session-id.ts): the id itself for `[A-Za-z0-9_-]` ids,
 * a safe escaped form for any other.
 *
 *   sessions/<name>/pointer.json
 *   sessions/<name>/snapshots/<generation, 12 digits>.snap
 *   sessions/<name>/<file>.json          legacy layout of the original worker (read-only)
 */
export const SESSIONS_PREFIX = 'sessions/';
export const POINTER_NAME = 'pointer.json';
const SNAPSHOTS_FOLDER = 'snapshots/';
const GENERATION_DIGITS = 12;
const SNAPSHOT_NAME = /^(\d{12})\.snap$/;

export function sessionPrefix(sessionId: string): string {
  return `${SESSIONS_PREFIX}${sessionFileName(sessionId)}/`;
}

export function snapshotsPrefix(sessionId: string): string {
  return `${sessionPrefix(sessionId)}${SNAPSHOTS_FOLDER}`;
}

export function pointerKey(sessionId: string): string {
  return `${sessionPrefix(sessionId)}${POINTER_NAME}`;
}

/** Zero-padded so keys sort by generation in any listing. */
export function snapshotKey(sessionId: string, generation: number): string {
  return `${snapshotsPrefix(sessionId)}${String(generation).padStart(GENERATION_DIGITS, '0')}.snap`;
}

/** Generation of a key listed under `snapshotsPrefix(sessionId)`, or null for anything else. */
export function generationOfKey(sessionId: string, key: string): number | null {
  const prefix = snapshotsPrefix(sessionId);
  if (!key.startsWith(prefix)) return null;
  const match = SNAPSHOT_NAME.exec(key.slice(prefix.length));
  if (!match) return null;
  const generation = Number(match[1]);
  return generation >= 1 ? generation : null;
}

/**
 * File name of a legacy object (`sessions/<id>/<file>.json`, directly under the session prefix),
 * or null for our own objects and anything that is not a plain auth file name.
 */
export function legacyFileOfKey(sessionId: string, key: string): string | null {
  const prefix = sessionPrefix(sessionId);
  if (!key.startsWith(prefix)) return null;
  const name = key.slice(prefix.length);
  if (name.includes('/') || name === POINTER_NAME || !name.endsWith('.json')) return null;
  return isSafeFileName(name) ? name : null;
}

export function legacyKey(sessionId: string, fileName: string): string {
  return `${sessionPrefix(sessionId)}${fileName}`;
}
