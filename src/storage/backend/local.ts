import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { atomicWriteFile, isAtomicTempFile } from '../../fs/atomic-write.js';
import { StorageError, StorageErrorCode } from '../errors.js';
import { assertPrefix, type ObjectBackend } from './types.js';

/**
 * Objects as files under `<dataDir>/storage/` (never `<dataDir>/sessions/`, the host's live auth
 * folder). Each put is an atomic write (temp file, fsync, rename), so a crash mid-write leaves the
 * previous object, exactly like an S3 PUT.
 */
export class LocalBackend implements ObjectBackend {
  readonly driver = 'local' as const;
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = `folder ${root}`;
  }

  async get(key: string, signal?: AbortSignal): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key), signal ? { signal } : {});
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return null;
      if (signal?.aborted) throw signal.reason;
      throw ioError(`read ${key}`, err);
    }
  }

  async put(key: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    try {
      // A write that outlived its deadline never replaces the object (checked before the rename).
      await atomicWriteFile(this.pathOf(key), data, signal ? { signal } : {});
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw ioError(`write ${key}`, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const keys: string[] = [];
    const walk = async (dirKey: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(this.pathOf(dirKey), { withFileTypes: true });
      } catch (err) {
        if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return;
        throw ioError(`list ${dirKey}`, err);
      }
      for (const entry of entries) {
        if (entry.isDirectory()) await walk(`${dirKey}${entry.name}/`);
        else if (entry.isFile() && !isAtomicTempFile(entry.name)) keys.push(`${dirKey}${entry.name}`);
      }
    };
    await walk(prefix);
    return keys.sort();
  }

  async listFolders(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    try {
      const entries = await readdir(this.pathOf(prefix), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      if (isCode(err, 'ENOENT')) return [];
      throw ioError(`list ${prefix}`, err);
    }
  }

  async delete(keys: readonly string[], signal?: AbortSignal): Promise<void> {
    const folders = new Set<string>();
    for (const key of keys) {
      signal?.throwIfAborted();
      try {
        await rm(this.pathOf(key), { force: true });
      } catch (err) {
        throw ioError(`delete ${key}`, err);
      }
      // Remember the folders so empty ones go too (a deleted session leaves no trace).
      const parts = key.split('/');
      for (let i = parts.length - 1; i > 1; i--) folders.add(parts.slice(0, i).join('/'));
    }
    for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
      await rmdir(this.pathOf(folder)).catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    // The root is created on first write; reachability here means "the parent is usable". One
    // folder read, never a walk of every session's snapshots: the supervisor's storage probe pings
    // every 10 s, and the walk made an idle supervisor's cost grow with its sessions (issue 15).
    await this.listFolders('sessions/');
  }

  async close(): Promise<void> {}

  /** Keys come from layout.ts; this re-checks so no key can ever leave the root. */
  private pathOf(key: string): string {
    const parts = key.split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) {
      throw new StorageError(StorageErrorCode.INVALID_ARGUMENT, `refusing storage key ${JSON.stringify(key).slice(0, 100)}`);
    }
    return join(this.root, ...parts) + (key.endsWith('/') ? sep : '');
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function ioError(what: string, err: unknown): StorageError {
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code ?? '') : '';
  // EMFILE/EAGAIN/EBUSY clear up by themselves; ENOSPC or EACCES need an operator.
  const retryable = ['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY'].includes(code);
  return new StorageError(StorageErrorCode.IO, `local storage could not ${what}: ${code || String(err)}`, { cause: err, retryable });
}
