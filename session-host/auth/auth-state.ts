import { initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys';
import type { Logger } from '../../src/logger.js';
import { lineageOf } from '../../src/storage/lineage.js';
import type { AuthFiles } from '../../src/storage/types.js';
import { CREDS_FILE, decodeValue, encodeValue, hasPairedCreds, isAuthFileName, isPairedCreds, isPairingCodePending, keyFileName } from './files.js';
import type { AuthFolder } from './folder.js';
import { GenerationLedger } from './generation.js';

/**
 * The auth state Baileys runs on (instead of its demo `useMultiFileAuthState`): every file lives
 * in memory as its serialised bytes — the source of truth for snapshots — and is written through
 * to the local folder atomically, in order, before `keys.set` resolves. Reads decode fresh copies
 * so Baileys can never mutate our copy behind our back.
 */
export class AuthStore {
  readonly creds: AuthenticationCreds;
  readonly keys: SignalKeyStore;
  readonly ledger: GenerationLedger;
  private readonly files: Map<string, Buffer>;
  private writes: Promise<void> = Promise.resolve();
  private changeListeners: (() => void)[] = [];
  private closed = false;
  /** A write-through failed once: from then on every write goes to disk, even one that changes nothing in memory. */
  private writeFailed = false;
  /** Lineage the label on disk names (restore wrote it for the files it handed us). */
  private labelLineage: string | null;

  constructor(
    private readonly folder: AuthFolder,
    files: Map<string, Buffer>,
    generation: { current: number; uploaded: number },
    private readonly logger: Logger,
  ) {
    this.files = new Map([...files].filter(([name]) => isAuthFileName(name)));
    const raw = this.files.get(CREDS_FILE);
    this.creds = raw ? decodeValue<AuthenticationCreds>(raw) : initAuthCreds();
    this.ledger = new GenerationLedger(generation.current, generation.uploaded);
    this.labelLineage = lineageOf(this.files);
    this.keys = {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => this.getKeys(type, ids),
      set: async (data: SignalDataSet) => this.setKeys(data),
    };
  }

  get state(): AuthenticationState {
    return { creds: this.creds, keys: this.keys };
  }

  get paired(): boolean {
    return isPairedCreds(this.creds);
  }

  /**
   * Forgets a pairing code that never led to a link (Baileys set `me` and `pairingCode` for it):
   * the next socket must register afresh — with `me` set it would log in as the phone and get 401.
   */
  dropUnfinishedPairingCode(): boolean {
    if (!isPairingCodePending(this.creds)) return false;
    delete this.creds.me;
    delete this.creds.pairingCode;
    this.creds.registered = false;
    void this.saveCreds().catch((err: unknown) => this.logger.error({ err }, 'could not save creds'));
    return true;
  }

  /** The pairing these creds belong to (src/storage/lineage.ts); null before the creds were first saved. */
  get lineage(): string | null {
    return lineageOf(this.files);
  }

  /** Whether the bytes in memory hold paired creds (what an upload would publish). */
  get uploadable(): boolean {
    return hasPairedCreds(this.files);
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Baileys' `creds.update`: merge (Baileys does the same) and write through. */
  async saveCreds(update: Partial<AuthenticationCreds> = {}): Promise<void> {
    Object.assign(this.creds, update);
    await this.commit([[CREDS_FILE, encodeValue(this.creds)]], true);
  }

  /** A consistent copy of the folder as it is in memory now. */
  snapshotFiles(): AuthFiles {
    return new Map([...this.files].map(([name, bytes]) => [name, Buffer.from(bytes)]));
  }

  /** Resolves when every write so far has reached the disk (or failed). */
  idle(): Promise<void> {
    return this.writes;
  }

  /** Stops accepting writes (logout deletes the folder; late Baileys writes must not recreate it). */
  close(): void {
    this.closed = true;
  }

  private async getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    for (const id of ids) {
      const raw = this.files.get(keyFileName(type, id));
      if (!raw) continue;
      let value = decodeValue<SignalDataTypeMap[T]>(raw);
      if (type === 'app-state-sync-key') {
        value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
      }
      out[id] = value;
    }
    return out;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    const changes: [string, Buffer | null][] = [];
    for (const type of Object.keys(data) as (keyof SignalDataTypeMap)[]) {
      const entries = data[type] ?? {};
      for (const id of Object.keys(entries)) {
        const value = entries[id];
        changes.push([keyFileName(type, id), value === null || value === undefined ? null : encodeValue(value)]);
      }
    }
    if (changes.length > 0) await this.commit(changes, false);
  }

  /**
   * Memory first (synchronously, so the next `get` sees it), then the disk in order: the bumped
   * generation label before the content it labels, every file's bytes fsynced before its rename
   * (folder.ts), the folder fsynced once per batch.
   */
  private commit(changes: [string, Buffer | null][], durable: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    // Baileys writes what it already has on every login (its own `me` with the LID, the device
    // list, the LID mapping, the migrated own session): same bytes, no change. Counting them as one
    // bumped the generation, fsynced five files and published a whole snapshot right after every
    // `connected` (issue 15). Skipped only while every write so far reached the disk: after a
    // failed write-through the memory may be ahead of the folder, and a rewrite is what repairs it.
    if (!this.writeFailed && changes.every(([name, bytes]) => sameBytes(this.files.get(name), bytes))) return this.writes;
    for (const [name, bytes] of changes) {
      if (bytes) this.files.set(name, bytes);
      else this.files.delete(name);
    }
    const bumped = this.ledger.onChange();
    const lineage = this.lineage;
    // The label names the content's pairing too: rewritten when the first creds arrive. After a
    // failed write-through the bumped label may be what was lost: rewritten with every later write,
    // or content newer than the upload would read as the uploaded generation at the next start.
    const label = bumped ?? (lineage !== this.labelLineage || this.writeFailed ? this.ledger.current : null);
    this.labelLineage = lineage;
    const written = this.enqueue(async () => {
      if (label !== null) await this.folder.writeGeneration({ generation: label, lineage });
      for (const [name, bytes] of changes) {
        if (bytes) await this.folder.write(name, bytes, durable);
        else await this.folder.remove(name);
      }
      if (!durable && changes.length > 0) await this.folder.sync();
    });
    for (const listener of this.changeListeners) listener();
    return written;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.writes.then(() => (this.closed ? undefined : task()));
    // The chain itself never rejects, so one failed write does not block the next ones.
    this.writes = run.catch((err: unknown) => {
      this.writeFailed = true;
      this.logger.error({ err }, 'auth write-through failed');
    });
    return run;
  }
}

/** A write that leaves the file as it is: the same bytes, or the removal of a file that is not there. */
function sameBytes(current: Buffer | undefined, next: Buffer | null): boolean {
  return next === null ? current === undefined : current !== undefined && current.equals(next);
}
