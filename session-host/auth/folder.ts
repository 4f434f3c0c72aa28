import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { atomicWriteFile, fsyncDir, isAtomicTempFile } from '../../src/fs/atomic-write.js';
import { isLineage } from '../../src/storage/lineage.js';
import { GENERATION_FILE, isAuthFileName } from './files.js';

/** The generation label as stored: the generation of the content and the pairing it belongs to. */
export interface GenerationLabel {
  generation: number;
  /** Absent in labels written before lineages (and in a missing or unreadable label). */
  lineage: string | null;
}

/** Files written at once while a restore fills its temporary folder (fsync each, in parallel). */
const RESTORE_WRITE_CONCURRENCY = 16;

/**
 * The local auth folder `DATA_DIR/sessions/<id>/` on disk: whole-folder reads, single-file writes,
 * and whole-folder replacement by a restore. A restore fills a temporary sibling folder, fsyncs
 * it, and renames it into place, so the folder is always either the old state or the new one —
 * never a paired `creds.json` beside half of its keys.
 */
export class AuthFolder {
  constructor(readonly dir: string) {}

  /** Sibling that a restore fills before it is renamed into place; a leftover is a cut-short restore. */
  private get restoring(): string {
    return join(dirname(this.dir), `.${basename(this.dir)}.restoring`);
  }

  /** Where the previous folder waits during the two renames of a restore. */
  private get replaced(): string {
    return join(dirname(this.dir), `.${basename(this.dir)}.replaced`);
  }

  /**
   * Every auth file plus the generation label. Cleans crash leftovers first.
   *
   * The files are read synchronously, on purpose (issue 15): a paired folder holds ~820 small
   * files (Baileys' 812 pre-keys), and `fs/promises.readFile` costs each one four thread-pool
   * round trips (open, fstat, read, close) plus their promises — 60 % of a host's CPU from `init`
   * to `ready`. Nothing else runs in the host before `ready`, so blocking its loop here for the
   * few milliseconds of plain syscalls delays nothing.
   */
  async load(): Promise<{ files: Map<string, Buffer>; label: GenerationLabel }> {
    await this.recoverSwap();
    const files = new Map<string, Buffer>();
    let label: GenerationLabel = { generation: 0, lineage: null };
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files, label };
      throw err;
    }
    for (const name of names) {
      const path = join(this.dir, name);
      if (isAtomicTempFile(name)) {
        rmSync(path, { force: true });
      } else if (name === GENERATION_FILE) {
        label = parseLabel(readOr(path, ''));
      } else if (isAuthFileName(name)) {
        files.set(name, readFileSync(path));
      }
    }
    return { files, label };
  }

  /**
   * Writes one file atomically. Its bytes are always fsynced before the rename: the generation
   * label (bumped first, fsynced) claims this content, so the content must survive as the label
   * does. `syncFolder` also fsyncs the folder (the rename itself); batches do that once at the end.
   */
  async write(name: string, bytes: Buffer, syncFolder: boolean): Promise<void> {
    await atomicWriteFile(join(this.dir, name), bytes, { durable: syncFolder, syncData: true });
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  async writeGeneration(label: GenerationLabel): Promise<void> {
    await atomicWriteFile(join(this.dir, GENERATION_FILE), encodeLabel(label), { durable: true });
  }

  async sync(): Promise<void> {
    await fsyncDir(this.dir);
  }

  /**
   * Replaces the folder with a restored snapshot: every file and the label are written to the
   * temporary sibling and fsynced, then it is renamed into place (the old folder renamed away
   * first: a directory cannot be renamed over a non-empty one). A crash before the first rename
   * leaves the old folder; between the renames, `load()` puts the old folder back.
   */
  async replaceAll(files: Map<string, Buffer>, label: GenerationLabel): Promise<void> {
    const tmp = this.restoring;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const entries = [...files].filter(([name]) => isAuthFileName(name));
    let next = 0;
    const writer = async () => {
      while (next < entries.length) {
        const [name, bytes] = entries[next++] as [string, Buffer];
        await writeSynced(join(tmp, name), bytes);
      }
    };
    await Promise.all(Array.from({ length: Math.min(RESTORE_WRITE_CONCURRENCY, entries.length) }, writer));
    await writeSynced(join(tmp, GENERATION_FILE), Buffer.from(encodeLabel(label)));
    await fsyncDir(tmp);
    await rm(this.replaced, { recursive: true, force: true });
    if (await exists(this.dir)) await rename(this.dir, this.replaced);
    await rename(tmp, this.dir);
    await fsyncDir(dirname(this.dir));
    await rm(this.replaced, { recursive: true, force: true });
  }

  async wipe(): Promise<void> {
    await rm(join(this.dir, GENERATION_FILE), { force: true });
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Leftovers of a restore cut short: the partial new state is dropped, the old one is put back. */
  private async recoverSwap(): Promise<void> {
    await rm(this.restoring, { recursive: true, force: true });
    if (!(await exists(this.replaced))) return;
    if (await exists(this.dir)) await rm(this.replaced, { recursive: true, force: true });
    else await rename(this.replaced, this.dir);
  }
}

async function writeSynced(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The label is advisory: an unreadable one reads as "no label" (parseLabel), never fails the load. */
function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export function encodeLabel(label: GenerationLabel): string {
  return JSON.stringify(label.lineage ? { generation: label.generation, lineage: label.lineage } : { generation: label.generation });
}

/** A missing, unreadable or malformed label reads as generation 0 of no known lineage. */
export function parseLabel(text: string): GenerationLabel {
  try {
    const value = JSON.parse(text) as { generation?: unknown; lineage?: unknown };
    const generation = typeof value.generation === 'number' && Number.isSafeInteger(value.generation) && value.generation >= 0 ? value.generation : 0;
    return { generation, lineage: isLineage(value.lineage) ? value.lineage : null };
  } catch {
    return { generation: 0, lineage: null };
  }
}
