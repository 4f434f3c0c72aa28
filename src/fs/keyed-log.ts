import { mkdirSync, readFileSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWriteFile } from './atomic-write.js';

/**
 * Small durable key → record maps kept in one append-only JSON-lines file each: every `put` or
 * `delete` appends one line and fsyncs before it resolves, so a record a caller has awaited
 * survives `kill -9` and a power cut. Loading replays the lines (last one per key wins) and
 * ignores a torn last line (a crash mid-append). When the file holds far more lines than live
 * records it is rewritten compactly (atomic rename). `retain` decides, at load and at each
 * compaction, which records are kept (age and count bounds live with the caller).
 *
 * Used for the send idempotency records (supervisor) and the recent outgoing messages (host).
 * Reads are from memory; the map is loaded synchronously once, at construction.
 */
export interface KeyedLogOptions<T> {
  /** Pure: the records to keep, given all of them in insertion order (oldest first). */
  retain?: (entries: Array<[string, T]>) => Array<[string, T]>;
  /** Rewrite when the file has this many more lines than live records. Default 200. */
  compactSlack?: number;
}

type Line<T> = { k: string; v: T } | { k: string; d: 1 };

export class KeyedLog<T> {
  private readonly map = new Map<string, T>();
  private lines = 0;
  private handle: Promise<FileHandle> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private tornTail = false;

  constructor(
    readonly path: string,
    private readonly options: KeyedLogOptions<T> = {},
  ) {
    mkdirSync(dirname(path), { recursive: true });
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // A torn tail has no newline: the next append must not glue itself onto it.
    this.tornTail = text.length > 0 && !text.endsWith('\n');
    for (const raw of text.split('\n')) {
      if (raw.length === 0) continue;
      let line: Line<T>;
      try {
        line = JSON.parse(raw) as Line<T>;
      } catch {
        continue; // a torn append from a crash: the write it belonged to was never acknowledged
      }
      this.lines++;
      if (typeof line?.k !== 'string') continue;
      this.map.delete(line.k); // re-insert: insertion order follows the latest write
      if (!('d' in line)) this.map.set(line.k, line.v);
    }
    this.applyRetain();
  }

  get(key: string): T | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): Array<[string, T]> {
    return [...this.map.entries()];
  }

  /** Updates memory at once (later `get`s see it), resolves once the line is on disk. */
  put(key: string, value: T): Promise<void> {
    this.map.delete(key);
    this.map.set(key, value);
    return this.append({ k: key, v: value });
  }

  delete(key: string): Promise<void> {
    if (!this.map.delete(key)) return Promise.resolve();
    return this.append({ k: key, d: 1 });
  }

  /** Waits for pending writes and closes the file. Later writes reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }

  /** Closes and deletes the file (the session is gone: nothing here may outlive it). */
  async remove(): Promise<void> {
    await this.close();
    this.map.clear();
    await rm(this.path, { force: true });
  }

  private append(line: Line<T>): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`keyed log ${this.path} is closed`));
    const data = `${JSON.stringify(line)}\n`;
    const write = this.chain.then(async () => {
      const handle = await this.file();
      await handle.appendFile(this.tornTail ? `\n${data}` : data);
      this.tornTail = false;
      await handle.sync();
      this.lines++;
      if (this.lines > this.map.size + (this.options.compactSlack ?? 200)) await this.compact();
    });
    // One failed write must not wedge the ones after it; the caller of this one sees the error.
    this.chain = write.catch(() => undefined);
    return write;
  }

  private file(): Promise<FileHandle> {
    this.handle ??= open(this.path, 'a', 0o600);
    return this.handle;
  }

  private async compact(): Promise<void> {
    this.applyRetain();
    const body = [...this.map.entries()].map(([k, v]) => JSON.stringify({ k, v })).join('\n');
    await atomicWriteFile(this.path, body.length > 0 ? `${body}\n` : '');
    const old = this.handle;
    this.handle = undefined;
    await (await old?.catch(() => undefined))?.close();
    this.lines = this.map.size;
  }

  private applyRetain(): void {
    if (!this.options.retain) return;
    const kept = this.options.retain([...this.map.entries()]);
    if (kept.length === this.map.size) return;
    this.map.clear();
    for (const [k, v] of kept) this.map.set(k, v);
  }
}
