/**
 * The storage contract shared by the session host (restore, upload, delete) and the supervisor
 * (health, bulk maintenance). Drivers implement `SnapshotStore`; the codec is pure.
 *
 * Layout under a driver (local folder or S3 bucket), every prefix ending in `/`:
 *   sessions/<sessionId>/snapshots/<generation, 12 digits>.snap   packed (and maybe encrypted) auth folder
 *   sessions/<sessionId>/pointer.json                             {generation, key, sha256, ...} written last
 *   sessions/<sessionId>/<file>.json                              legacy layout of the original worker (read-only)
 */

/** An auth folder: file name (no directories) → bytes. */
export type AuthFiles = Map<string, Buffer>;

export interface SnapshotMeta {
  sessionId: string;
  generation: number;
  workerId: string;
  /** ISO-8601. */
  createdAt: string;
  fileCount: number;
  /** Size of the stored object in bytes. */
  bytes: number;
  /** SHA-256 (hex) of the uncompressed payload. */
  sha256: string;
  /** Key id of the encryption key, absent when stored in plain. */
  keyId?: string;
  /** Pairing the auth state belongs to (lineage.ts); absent for snapshots written before lineages. */
  lineage?: string;
}

/** The published head of a session: its generation and the pairing it belongs to (null = not known). */
export interface Head {
  generation: number;
  lineage: string | null;
}

export interface ReadResult {
  meta: SnapshotMeta;
  files: AuthFiles;
  /** Generations that were newer but unreadable (corrupt, truncated, wrong key), newest first. */
  skipped: { generation: number; code: string }[];
  source: 'snapshot' | 'legacy';
}

export interface SnapshotStore {
  readonly driver: 'local' | 'minio';
  /**
   * Packs and publishes a generation: snapshot object first, pointer second; prunes to the last 3. Refuses (before writing
   * anything) a state that does not descend from the published head: STORAGE_STALE_GENERATION (same pairing, behind) or
   * STORAGE_FOREIGN_LINEAGE (another pairing), and re-reads the pointer right before replacing it, never writing an older one.
   */
  putSnapshot(sessionId: string, generation: number, files: AuthFiles): Promise<SnapshotMeta>;
  /**
   * Newest good snapshot, falling back past corrupt ones; imports the legacy layout when no snapshot exists; null when nothing at all.
   * After a fallback the restored content is re-published as a new, higher generation (returned in `meta`), so generations stay
   * monotonic. Snapshots that all fail to read reject with STORAGE_NO_READABLE_SNAPSHOT (never null: that would mean "pair again").
   */
  readNewest(sessionId: string): Promise<ReadResult | null>;
  /**
   * Generation named by the pointer, without downloading the snapshot; null when none. A session that has only the legacy
   * layout reports null: call `readNewest` when there is no local auth, it imports the legacy files.
   */
  headGeneration(sessionId: string): Promise<number | null>;
  /**
   * The published head with its lineage (the pairing it belongs to), null when nothing is published. A pointer that names an
   * older generation than complete objects of its own lineage above it (a late pointer PUT) is read as the newest of them.
   */
  head(sessionId: string): Promise<Head | null>;
  /** Stored generations, newest first. */
  listGenerations(sessionId: string): Promise<number[]>;
  /** Deletes every object under `sessions/<sessionId>/` (snapshots, pointer, legacy files). */
  deleteSession(sessionId: string): Promise<void>;
  /**
   * Deletes only what belongs to one pairing: its snapshots, its legacy files, and the pointer when it names that pairing.
   * What a 401 does: a dead pairing must never take a newer pairing's auth with it.
   */
  deleteLineage(sessionId: string, lineage: string): Promise<{ deleted: number; kept: number }>;
  /** Session ids that have anything stored. */
  listSessions(): Promise<string[]>;
  /** Cheap reachability check for `/ready` and `/health`. */
  ping(): Promise<void>;
}

// ---------------------------------------------------------------- additions (storage issue)

/** Operation names reported to the metrics hook. */
export type StorageOpName =
  | 'put_snapshot'
  | 'read_newest'
  | 'head_generation'
  | 'list_generations'
  | 'delete_session'
  | 'delete_lineage'
  | 'list_sessions'
  | 'ping'
  | 'import_legacy'
  | 'verify_session';

/** One finished store operation, as the metrics hook receives it (same fields as IPC `storage-op`). */
export interface StorageOperation {
  op: StorageOpName;
  ok: boolean;
  durationMs: number;
  /** Bytes uploaded plus downloaded. */
  bytes: number;
  errorCode?: string;
}
