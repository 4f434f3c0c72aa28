import { randomBytes } from 'node:crypto';
import { link, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WorkerError } from './errors.js';
import { atomicWriteFile, fsyncDir } from './fs/atomic-write.js';

/** What a worker id may be: the `WORKER_ID` variable (src/config/spec.ts) and the stored file alike. */
export const WORKER_ID_RULE = '[A-Za-z0-9_.-]{1,128}';
export const WORKER_ID_PATTERN = new RegExp(`^${WORKER_ID_RULE}$`);
export const WORKER_ID_FILE = 'worker-id';

export interface ResolvedWorkerId {
  readonly workerId: string;
  /** `env`: WORKER_ID was set · `file`: read from DATA_DIR · `generated`: created on this start. */
  readonly source: 'env' | 'file' | 'generated';
}

/**
 * A new id: the host name (readable in the backend's worker list) plus random hex, so two
 * machines with the same host name still differ. Pure apart from the randomness.
 */
export function generateWorkerId(host: string = hostname(), random: string = randomBytes(6).toString('hex')): string {
  // Lower case, single dashes: already in every backend's normal form (the whatsam backend rewrites
  // other ids in some handlers only).
  const name = host.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30).replace(/-+$/, '') || 'worker';
  return `${name}-${random}`;
}

/** Parses the stored file: one id, optional trailing newline. */
export function parseWorkerIdFile(content: string, path: string): string {
  const id = content.trim();
  if (!WORKER_ID_PATTERN.test(id)) {
    // Never silently replace a damaged id: the backend knows this worker by it, and a new id
    // would orphan every session assigned to the old one (the original worker's failure).
    throw new WorkerError('WORKER_ID_INVALID', `${path} does not hold a valid worker id; fix or delete it (expected ${WORKER_ID_RULE})`, { details: { path } });
  }
  return id;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WorkerError('WORKER_ID_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err, details: { path } });
  }
}

/**
 * The worker's persistent id. `WORKER_ID` wins when set (and the file is left alone). Otherwise
 * the id kept in `DATA_DIR/worker-id` is used, or one is generated once and stored. Storing is
 * first-writer-wins: the complete file is written under a temp name and hard-linked into place,
 * which fails if another process got there first, so two starts racing on one DATA_DIR agree.
 */
export async function resolveWorkerId(dataDir: string, configured?: string): Promise<ResolvedWorkerId> {
  if (configured !== undefined) return { workerId: configured, source: 'env' };
  const path = join(dataDir, WORKER_ID_FILE);
  const existing = await readIfPresent(path);
  if (existing !== undefined) return { workerId: parseWorkerIdFile(existing, path), source: 'file' };

  const fresh = generateWorkerId();
  const tmp = join(dataDir, `.${WORKER_ID_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await atomicWriteFile(tmp, `${fresh}\n`, { mode: 0o644 });
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      // Some volume types (SMB, a few FUSE mounts) refuse hard links: fall back to a plain
      // atomic rename, losing only the race guard.
      await atomicWriteFile(path, `${fresh}\n`, { mode: 0o644 });
      return { workerId: fresh, source: 'generated' };
    }
    const winner = await readIfPresent(path);
    if (winner === undefined) throw err;
    return { workerId: parseWorkerIdFile(winner, path), source: 'file' };
  } finally {
    await rm(tmp, { force: true });
  }
  await fsyncDir(dataDir);
  return { workerId: fresh, source: 'generated' };
}
