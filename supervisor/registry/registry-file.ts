import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerError } from '../../src/errors.js';
import { atomicWriteFile } from '../../src/fs/atomic-write.js';
import { isValidSessionId } from '../../src/session-id.js';
import { sessionsMember } from './sessions-file.js';
import type { DurableState } from '../actor/state.js';

/**
 * Standalone mode's own list of sessions (no backend): `DATA_DIR/registry.json`, rewritten
 * atomically on every change, read once at start for recovery. It records what the operator
 * wants (`desired`) and how a session ended when that must survive a restart (a logged-out or
 * replaced session must not be brought back by recovery).
 */
export interface RegistryEntry {
  sessionId: string;
  userId: string | null;
  name: string | null;
  createdAt: string;
  /** The actor's `DurableState`: `desired` is its `intent` (the file's name for it, kept). */
  desired: DurableState['intent'];
  ended: DurableState['ended'];
}

interface FileShape {
  version: 1;
  updatedAt: string;
  sessions: RegistryEntry[];
}

export const REGISTRY_FILE = 'registry.json';

export class RegistryFile {
  readonly path: string;
  private chain: Promise<void> = Promise.resolve();
  private latest: RegistryEntry[] | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, REGISTRY_FILE);
  }

  /** Entries on disk; none when the file does not exist. A corrupt file is an error, not "none". */
  async load(): Promise<RegistryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseRegistry(text, this.path);
  }

  /**
   * Queues a write of the full list. Writes run one at a time and coalesce: only the newest list
   * queued while a write runs is written next.
   */
  save(entries: readonly RegistryEntry[]): Promise<void> {
    this.latest = entries.map((e) => ({ ...e }));
    this.chain = this.chain.then(async () => {
      const next = this.latest;
      if (!next) return;
      this.latest = undefined;
      const body: FileShape = { version: 1, updatedAt: new Date().toISOString(), sessions: next };
      await atomicWriteFile(this.path, JSON.stringify(body, null, 2) + '\n');
    });
    return this.chain;
  }

  /** Resolves when every queued write has finished. */
  flushed(): Promise<void> {
    return this.chain;
  }
}

/** Pure: validates the file content; entries with an invalid id are refused, never used as paths. */
export function parseRegistry(text: string, where = REGISTRY_FILE): RegistryEntry[] {
  const sessions = sessionsMember(text, where, 'REGISTRY_CORRUPT');
  if (!Array.isArray(sessions)) throw new WorkerError('REGISTRY_CORRUPT', `${where} has no sessions array`);
  const out: RegistryEntry[] = [];
  const seen = new Set<string>();
  for (const raw of sessions as Partial<RegistryEntry>[]) {
    if (!isValidSessionId(raw?.sessionId)) throw new WorkerError('REGISTRY_CORRUPT', `${where} holds an invalid session id`);
    if (seen.has(raw.sessionId)) continue;
    seen.add(raw.sessionId);
    out.push({
      sessionId: raw.sessionId,
      userId: typeof raw.userId === 'string' ? raw.userId : null,
      name: typeof raw.name === 'string' ? raw.name : null,
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : new Date(0).toISOString(),
      desired: raw.desired === 'stopped' ? 'stopped' : 'running',
      ended: raw.ended && typeof raw.ended.status === 'string' ? { status: raw.ended.status, reason: raw.ended.reason ?? null } : null,
    });
  }
  return out;
}
