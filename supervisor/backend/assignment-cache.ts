import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../../src/fs/atomic-write.js';
import { isValidSessionId } from '../../src/session-id.js';
import type { Assignment } from './contract.js';

/**
 * The last assignment list the backend gave, kept in DATA_DIR so a worker that starts while the
 * backend is down still recovers its sessions. Written atomically (never torn); a cache written
 * under another worker id is ignored, because those sessions belong to someone else.
 */
export interface CachedAssignments {
  version: 1;
  workerId: string;
  profile: string;
  fetchedAt: string;
  sessions: Assignment[];
}

export function assignmentCachePath(dataDir: string): string {
  return join(dataDir, 'backend', 'assignments.json');
}

export async function writeAssignmentCache(dataDir: string, entry: Omit<CachedAssignments, 'version'>): Promise<void> {
  const body: CachedAssignments = { version: 1, ...entry };
  await atomicWriteFile(assignmentCachePath(dataDir), JSON.stringify(body, null, 2) + '\n');
}

export type CacheRead =
  | { kind: 'hit'; cache: CachedAssignments }
  | { kind: 'missing' }
  | { kind: 'unusable'; why: string };

export async function readAssignmentCache(dataDir: string, workerId: string): Promise<CacheRead> {
  let raw: string;
  try {
    raw = await readFile(assignmentCachePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', why: (err as Error).message };
  }
  return parseAssignmentCache(raw, workerId);
}

/** Pure validation of the cache file's content. */
export function parseAssignmentCache(raw: string, workerId: string): CacheRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { kind: 'unusable', why: 'not JSON' };
  }
  const c = parsed as Partial<CachedAssignments>;
  if (c === null || typeof c !== 'object' || c.version !== 1 || !Array.isArray(c.sessions)) return { kind: 'unusable', why: 'unknown format' };
  if (c.workerId !== workerId) return { kind: 'unusable', why: `written by worker ${String(c.workerId)}` };
  const sessions = c.sessions
    .filter((s): s is Assignment => s !== null && typeof s === 'object' && isValidSessionId((s as Assignment).sessionId))
    .map((s) => ({ sessionId: s.sessionId, userId: typeof s.userId === 'string' ? s.userId : null, name: typeof s.name === 'string' ? s.name : null }));
  return { kind: 'hit', cache: { version: 1, workerId, profile: String(c.profile), fetchedAt: String(c.fetchedAt), sessions } };
}
