import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { OutboundEvent } from '../backend/contract.js';

/**
 * The durable outbox: every event waiting for a sink, and the dead letters, in one SQLite file in
 * DATA_DIR (`outbox.sqlite`, WAL). Rows are deleted once delivered; a dead letter stays until
 * replayed or deleted by an operator.
 *
 * OUTBOX_SYNC decides what "persisted" means when `append` returns (measured in bench/):
 * - `normal` (default): the commit is written to the WAL file — in the kernel, not in this
 *   process — so it survives a supervisor SIGKILL or crash; an OS crash or power loss can lose
 *   the last commits before a checkpoint. About 0.05-0.1 ms per event here.
 * - `full`: every commit is fsynced, so it survives a power loss too. About 2-6 ms per event
 *   here, and the supervisor's event loop waits for it.
 *
 * One row per (lane, key): the same event reported twice while still waiting is stored once. And
 * `incoming_seen` remembers the key of every incoming message stored (for SEEN_RETENTION_MS,
 * outbox.ts), so a message reported again after it was delivered — WhatsApp redelivering it to a
 * host that died before its receipt — is not stored or sent a second time.
 */
export interface OutboxRow {
  seq: number;
  lane: string;
  key: string;
  sessionId: string;
  event: OutboundEvent;
  createdAt: number;
  rejections: number;
  state: 'pending' | 'dead';
  lastError: string | null;
  deadAt: number | null;
}

interface RawRow {
  seq: number;
  lane: string;
  key: string;
  session_id: string;
  payload: string;
  created_at: number;
  rejections: number;
  state: 'pending' | 'dead';
  last_error: string | null;
  dead_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  lane TEXT NOT NULL,
  key TEXT NOT NULL,
  session_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  qr INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  rejections INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  last_error TEXT,
  dead_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS events_lane_key ON events(lane, key);
CREATE INDEX IF NOT EXISTS events_lane_state ON events(lane, state, seq);
CREATE TABLE IF NOT EXISTS incoming_seen (
  key TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS incoming_seen_at ON incoming_seen(at);
`;

export type OutboxSync = 'normal' | 'full';

export interface AppendItem {
  lane: string;
  key: string;
  event: OutboundEvent;
}

export class OutboxStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private totalBytes: number;

  constructor(
    readonly path: string,
    sync: OutboxSync = 'normal',
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.exec(SCHEMA);
    this.stmts = {
      insert: this.db.prepare(
        'INSERT OR IGNORE INTO events (lane, key, session_id, kind, qr, payload, bytes, created_at) VALUES (@lane, @key, @sessionId, @kind, @qr, @payload, @bytes, @createdAt)',
      ),
      head: this.db.prepare("SELECT * FROM events WHERE lane = ? AND state = 'pending' ORDER BY seq LIMIT 1"),
      pendingRefs: this.db.prepare("SELECT seq, session_id, qr FROM events WHERE lane = ? AND state = 'pending' ORDER BY seq LIMIT ?"),
      get: this.db.prepare('SELECT * FROM events WHERE seq = ?'),
      remove: this.db.prepare('DELETE FROM events WHERE seq = ? RETURNING bytes'),
      reject: this.db.prepare('UPDATE events SET rejections = rejections + 1, last_error = ? WHERE seq = ?'),
      note: this.db.prepare('UPDATE events SET last_error = ? WHERE seq = ?'),
      kill: this.db.prepare("UPDATE events SET state = 'dead', rejections = rejections + 1, last_error = ?, dead_at = ? WHERE seq = ?"),
      dead: this.db.prepare("SELECT * FROM events WHERE state = 'dead' ORDER BY seq LIMIT ? OFFSET ?"),
      deadCount: this.db.prepare("SELECT COUNT(*) AS n FROM events WHERE state = 'dead'"),
      revive: this.db.prepare("UPDATE events SET state = 'pending', rejections = 0, dead_at = NULL WHERE seq = ? AND state = 'dead' RETURNING lane"),
      reviveAll: this.db.prepare("UPDATE events SET state = 'pending', rejections = 0, dead_at = NULL WHERE state = 'dead' RETURNING lane"),
      removeDead: this.db.prepare("DELETE FROM events WHERE seq = ? AND state = 'dead' RETURNING bytes"),
      counts: this.db.prepare('SELECT lane, state, COUNT(*) AS n FROM events GROUP BY lane, state'),
      lanes: this.db.prepare("SELECT DISTINCT lane FROM events WHERE state = 'pending'"),
      bytes: this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM events'),
      // Eviction order under the quota: receipts first (the least valuable), then the oldest.
      evictable: this.db.prepare("SELECT seq, lane, key, kind, state FROM events ORDER BY (kind = 'message-status') DESC, seq LIMIT 1"),
      seen: this.db.prepare('INSERT OR IGNORE INTO incoming_seen (key, at) VALUES (?, ?)'),
      forgetSeen: this.db.prepare('DELETE FROM incoming_seen WHERE at < ?'),
    };
    this.totalBytes = (this.stmts.bytes.get() as { b: number }).b;
  }

  /** Bytes of event payloads held (pending and dead), the figure the quota limits. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores every item in one transaction (one fsync); returns the ones that were new. `seenKeys`:
   * incoming-message keys recorded in the same transaction; an item whose key is already recorded
   * (a message delivered before, now reported again) is skipped, so it is never sent twice.
   */
  append(items: readonly AppendItem[], nowMs: number, seenKeys: readonly string[] = []): { added: AppendItem[]; repeated: Set<string> } {
    const added: AppendItem[] = [];
    const repeated = new Set<string>();
    this.db.transaction(() => {
      for (const key of seenKeys) if (this.stmts.seen.run(key, nowMs).changes === 0) repeated.add(key);
      for (const item of items) {
        if (repeated.has(item.key)) continue;
        const payload = JSON.stringify(item.event);
        const bytes = Buffer.byteLength(payload);
        // QR and pairing codes go first when a lane is rate-limited (pick.ts): a person is waiting for them.
        const qr = item.event.kind === 'session-status' && (item.event.qr !== undefined || item.event.pairingCode !== undefined) ? 1 : 0;
        const r = this.stmts.insert.run({ lane: item.lane, key: item.key, sessionId: item.event.sessionId, kind: item.event.kind, qr, payload, bytes, createdAt: nowMs });
        if (r.changes > 0) {
          this.totalBytes += bytes;
          added.push(item);
        }
      }
    })();
    return { added, repeated };
  }

  head(lane: string): OutboxRow | undefined {
    const raw = this.stmts.head.get(lane) as RawRow | undefined;
    return raw && toRow(raw);
  }

  pendingRefs(lane: string, limit: number): { seq: number; sessionId: string; qr: boolean }[] {
    return (this.stmts.pendingRefs.all(lane, limit) as { seq: number; session_id: string; qr: number }[]).map((r) => ({ seq: r.seq, sessionId: r.session_id, qr: r.qr === 1 }));
  }

  get(seq: number): OutboxRow | undefined {
    const raw = this.stmts.get.get(seq) as RawRow | undefined;
    return raw && toRow(raw);
  }

  /** Delivered, superseded, settled or evicted: gone. */
  remove(seq: number): boolean {
    const r = this.stmts.remove.get(seq) as { bytes: number } | undefined;
    if (r) this.totalBytes -= r.bytes;
    return r !== undefined;
  }

  removeMany(seqs: readonly number[]): void {
    this.db.transaction(() => {
      for (const s of seqs) this.remove(s);
    })();
  }

  recordRejection(seq: number, error: string): void {
    this.stmts.reject.run(error, seq);
  }

  recordError(seq: number, error: string): void {
    this.stmts.note.run(error, seq);
  }

  markDead(seq: number, error: string, nowMs: number): void {
    this.stmts.kill.run(error, nowMs, seq);
  }

  deadLetters(limit: number, offset: number): { rows: OutboxRow[]; total: number } {
    const rows = (this.stmts.dead.all(limit, offset) as RawRow[]).map(toRow);
    return { rows, total: (this.stmts.deadCount.get() as { n: number }).n };
  }

  /** Dead letters back to pending (all when `seqs` is undefined); returns how many per lane. */
  revive(seqs: readonly number[] | undefined): Map<string, number> {
    const lanes = new Map<string, number>();
    this.db.transaction(() => {
      const results = seqs === undefined ? (this.stmts.reviveAll.all() as { lane: string }[]) : seqs.flatMap((s) => this.stmts.revive.all(s) as { lane: string }[]);
      for (const r of results) lanes.set(r.lane, (lanes.get(r.lane) ?? 0) + 1);
    })();
    return lanes;
  }

  removeDead(seq: number): boolean {
    const r = this.stmts.removeDead.get(seq) as { bytes: number } | undefined;
    if (r) this.totalBytes -= r.bytes;
    return r !== undefined;
  }

  /** Lanes that hold pending events (at start: lanes to resume). */
  pendingLanes(): string[] {
    return (this.stmts.lanes.all() as { lane: string }[]).map((r) => r.lane);
  }

  counts(): { lane: string; state: 'pending' | 'dead'; n: number }[] {
    return this.stmts.counts.all() as { lane: string; state: 'pending' | 'dead'; n: number }[];
  }

  /** The next event the quota gives up, or undefined when the outbox is empty. */
  evictable(): { seq: number; lane: string; key: string; kind: string; state: string } | undefined {
    return this.stmts.evictable.get() as { seq: number; lane: string; key: string; kind: string; state: string } | undefined;
  }

  /** Forgets incoming-message keys recorded before `beforeMs`; returns how many. */
  forgetSeen(beforeMs: number): number {
    return this.stmts.forgetSeen.run(beforeMs).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toRow(r: RawRow): OutboxRow {
  return {
    seq: r.seq,
    lane: r.lane,
    key: r.key,
    sessionId: r.session_id,
    event: JSON.parse(r.payload) as OutboundEvent,
    createdAt: r.created_at,
    rejections: r.rejections,
    state: r.state,
    lastError: r.last_error,
    deadAt: r.dead_at,
  };
}
