import { readdir, readFile, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile, fsyncDir, isAtomicTempFile } from '../../src/fs/atomic-write.js';
import { GENERATION_FILE, isAuthFileName } from './files.js';

/** The local auth folder `DATA_DIR/sessions/<id>/` on disk: whole-folder reads and single-file writes. */
export class AuthFolder {
  constructor(readonly dir: string) {}

  /** Every auth file plus the generation label (0 when missing or unreadable). Cleans crash leftovers. */
  async load(): Promise<{ files: Map<string, Buffer>; generation: number }> {
    const files = new Map<string, Buffer>();
    let generation = 0;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files, generation };
      throw err;
    }
    for (const name of names) {
      const path = join(this.dir, name);
      if (isAtomicTempFile(name)) {
        await rm(path, { force: true });
      } else if (name === GENERATION_FILE) {
        generation = parseGeneration(await readFile(path, 'utf8').catch(() => ''));
      } else if (isAuthFileName(name)) {
        files.set(name, await readFile(path));
      }
    }
    return { files, generation };
  }

  async write(name: string, bytes: Buffer, durable: boolean): Promise<void> {
    await atomicWriteFile(join(this.dir, name), bytes, { durable });
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  async writeGeneration(generation: number): Promise<void> {
    await atomicWriteFile(join(this.dir, GENERATION_FILE), JSON.stringify({ generation }), { durable: true });
  }

  async sync(): Promise<void> {
    await fsyncDir(this.dir);
  }

  /**
   * Replaces the folder's content with a restored snapshot. The generation label goes first (down)
   * and last (up): a crash halfway leaves a folder labelled 0, which the next start replaces again.
   */
  async replaceAll(files: Map<string, Buffer>, generation: number): Promise<void> {
    await this.wipe();
    await mkdir(this.dir, { recursive: true });
    for (const [name, bytes] of files) {
      if (isAuthFileName(name)) await atomicWriteFile(join(this.dir, name), bytes, { durable: false });
    }
    await fsyncDir(this.dir);
    await this.writeGeneration(generation);
  }

  async wipe(): Promise<void> {
    await rm(join(this.dir, GENERATION_FILE), { force: true });
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function parseGeneration(text: string): number {
  try {
    const value = (JSON.parse(text) as { generation?: unknown }).generation;
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}
