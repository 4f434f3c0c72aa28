/**
 * The session lock on a real DATA_DIR: what a crash of the machine can leave behind (the lock is
 * not fsynced since issue 15: an empty or torn file, or a dead owner's) is taken over; a live
 * owner's lock is refused; release removes only our own lock.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPath, SessionLock } from '../../session-host/lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wa-lock-'));
  dirs.push(d);
  mkdirSync(join(d, 'locks'));
  return d;
}

describe('session lock files', () => {
  it.each([
    ['empty (written but never reached the disk)', ''],
    ['torn', '{"pid":12'],
    ['of a dead owner', JSON.stringify({ pid: 2 ** 22 + 12345, startTime: '1', sessionId: 's1', createdAt: '2026-01-01T00:00:00Z' })],
  ])('a lock left %s is taken over', (_what, content) => {
    const d = dataDir();
    writeFileSync(lockPath(d, 's1'), content);
    const lock = SessionLock.acquire(d, 's1');
    expect(JSON.parse(readFileSync(lockPath(d, 's1'), 'utf8'))).toMatchObject({ pid: process.pid, sessionId: 's1' });
    lock.release();
    expect(existsSync(lockPath(d, 's1'))).toBe(false);
  });

  it('a live owner keeps its lock: a second acquire is refused with LOCK_HELD, and only the owner releases it', () => {
    const d = dataDir();
    const lock = SessionLock.acquire(d, 's1');
    expect(() => SessionLock.acquire(d, 's1')).toThrow(expect.objectContaining({ code: 'LOCK_HELD' }));
    lock.release();
    const again = SessionLock.acquire(d, 's1');
    writeFileSync(lockPath(d, 's1'), JSON.stringify({ pid: process.pid, startTime: null, sessionId: 's1', createdAt: 'someone else' }));
    again.release(); // not ours any more: left alone
    expect(existsSync(lockPath(d, 's1'))).toBe(true);
  });
});
