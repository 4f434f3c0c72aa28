import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file so that a reader (or a crash at any instant) sees either the old content or the
 * new, never a torn mix: write a temp file in the same folder, fsync it, rename over the target,
 * then fsync the folder so the rename itself survives a power cut when `durable` is set.
 */
export interface AtomicWriteOptions {
  /** fsync the file before the rename and the folder after it (default true). */
  durable?: boolean;
  /** With `durable: false`, still fsync the file's bytes (the caller fsyncs the folder once for a batch). */
  syncData?: boolean;
  mode?: number;
  /** Once aborted, the rename is not done: the old content stays. */
  signal?: AbortSignal;
}

export async function atomicWriteFile(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    await handle.writeFile(data);
    if (options.durable !== false || options.syncData) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    options.signal?.throwIfAborted();
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (options.durable !== false) await fsyncDir(dir);
}

export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Temp files left by a crash between write and rename; callers may clean them up at start. */
export function isAtomicTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
