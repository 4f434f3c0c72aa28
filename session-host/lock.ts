import { closeSync, openSync, readFileSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerError } from '../src/errors.js';
import { sessionFileName } from '../src/session-id.js';
import { pidAlive, processStartTime } from './proc-start-time.js';

/**
 * One host per session, ever (design.md §5): `DATA_DIR/locks/<id>.lock` holds the owner's pid and
 * process start time. A lock whose owner is dead, or whose pid now belongs to another process
 * (start time differs), is stale and taken over; a live owner makes this host refuse to start.
 *
 * Synchronous on purpose: it runs once at boot and its release must work inside `'exit'`.
 */
export interface LockOwner {
  pid: number;
  startTime: string | null;
  sessionId: string;
  createdAt: string;
}

export type LockVerdict = 'free' | 'stale' | 'held';

/** Pure decision about an existing lock file's content. */
export function judgeLock(content: string, probe: { alive(pid: number): boolean; startTime(pid: number): string | null }): LockVerdict {
  let owner: Partial<LockOwner>;
  try {
    owner = JSON.parse(content) as Partial<LockOwner>;
  } catch {
    return 'stale'; // torn or garbage: a crash mid-write, nobody owns it
  }
  if (typeof owner.pid !== 'number' || !Number.isInteger(owner.pid) || owner.pid <= 0) return 'stale';
  if (!probe.alive(owner.pid)) return 'stale';
  const now = probe.startTime(owner.pid);
  if (owner.startTime && now && owner.startTime !== now) return 'stale'; // pid reused
  return 'held';
}

export function lockPath(dataDir: string, sessionId: string): string {
  return join(dataDir, 'locks', `${sessionFileName(sessionId)}.lock`);
}

export class SessionLock {
  private held = false;
  private readonly content: string;

  private constructor(readonly path: string, owner: LockOwner) {
    this.content = JSON.stringify(owner);
  }

  /** Takes the lock or throws `LOCK_HELD` (with the owner's pid in `details`). */
  static acquire(dataDir: string, sessionId: string): SessionLock {
    const path = lockPath(dataDir, sessionId);
    mkdirSync(join(dataDir, 'locks'), { recursive: true });
    const lock = new SessionLock(path, { pid: process.pid, startTime: processStartTime(process.pid), sessionId, createdAt: new Date().toISOString() });
    for (let attempt = 0; attempt < 3; attempt++) {
      if (lock.tryCreate()) return lock;
      let existing: string;
      try {
        existing = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
        throw err;
      }
      const verdict = judgeLock(existing, { alive: pidAlive, startTime: processStartTime });
      if (verdict === 'held') {
        const owner = safeParse(existing);
        throw new WorkerError('LOCK_HELD', `session ${sessionId} is locked by live process ${owner?.pid ?? '?'} (${path})`, { details: { pid: owner?.pid ?? null } });
      }
      // Stale: remove it only if it still holds what we judged, then race for `wx` again.
      try {
        if (readFileSync(path, 'utf8') === existing) unlinkSync(path);
      } catch {
        // gone already
      }
    }
    throw new WorkerError('LOCK_HELD', `could not take the lock ${path}: another process keeps taking it`);
  }

  /** Removes the lock if it is still ours. Idempotent and synchronous (safe in `'exit'`). */
  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      if (readFileSync(this.path, 'utf8') === this.content) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private tryCreate(): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      // Not fsynced (issue 15): the content matters only while its owner lives, and a crash of the
      // machine kills every owner — a lock it leaves empty or torn is judged stale (judgeLock). The
      // fsync bought nothing and cost each booting host ~10 ms of wall time in a journal commit that
      // every other host creating or renaming a file on that disk then waited for.
      writeSync(fd, this.content);
    } finally {
      closeSync(fd);
    }
    this.held = true;
    return true;
  }
}

function safeParse(text: string): Partial<LockOwner> | undefined {
  try {
    return JSON.parse(text) as Partial<LockOwner>;
  } catch {
    return undefined;
  }
}
