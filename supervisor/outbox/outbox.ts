import { join } from 'node:path';
import { WorkerError } from '../../src/errors.js';
import type { IncomingMessage } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/session-view.js';
import type { OutboundEvent } from '../backend/contract.js';
import { toOutbound } from '../backend/outbound-events.js';
import { webhookBody, type WebhookBody } from '../backend/profiles/webhook.js';
import { backoffDelay, EQUAL_JITTER } from '../../src/backoff.js';
import type { Decision } from './delivery-policy.js';
import { idempotencyKey, splitMessages } from './keys.js';
import { Lane } from './lane.js';
import { RateBudget } from './rate-budget.js';
import { laneName, sinkOfLane, unconfigured, type EventSink } from './sink.js';
import { toDeadLetter, type DeadLetter } from './dead-letter.js';
import { OutboxStore, type AppendItem, type OutboxRow, type OutboxSync } from './store.js';
export type { DeadLetter } from './dead-letter.js';

export interface OutboxMetrics {
  outboxEvent(sink: string, kind: string, result: string, count?: number): void;
  setOutbox(pending: number, dead: number, bytes: number): void;
  observeOutboxAppend(seconds: number): void;
}

/** A live subscriber of the event stream (GET /api/events/stream); `end` is called on shutdown. */
export interface FeedListener {
  event(body: WebhookBody): void;
  end(): void;
}

export interface OutboxOptions {
  dataDir: string;
  /** Named in every client-facing event body. */
  workerId: string;
  sinks: readonly EventSink[];
  logger: Logger;
  /** Payload bytes the outbox may hold (pending and dead); beyond it the least valuable go, loudly. */
  maxBytes: number;
  /** 4xx answers before an event moves to the dead-letter store. */
  rejectRetries: number;
  /** OUTBOX_SYNC (store.ts): `normal` survives a process kill, `full` a power loss. */
  sync?: OutboxSync;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Cap on one Retry-After wait. */
  maxRetryAfterMs?: number;
  metrics?: OutboxMetrics | undefined;
  now?: () => number;
}

export interface OutboxStats {
  pending: number;
  dead: number;
  bytes: number;
  maxBytes: number;
  lanes: Record<string, { pending: number; dead: number }>;
  delivered: number;
  deadLettered: number;
  unknownMessages: number;
  coalesced: number;
  evicted: number;
  throttled: number;
  retried: number;
  unsupported: number;
  /** Events that could not be written (disk full or failing), each logged as an error. */
  lost: number;
  /** Incoming messages reported again after they were stored (redeliveries); not stored or sent again. */
  duplicates: number;
}

/**
 * How long the key of a stored incoming message is remembered, so a redelivery is recognised.
 * WhatsApp keeps a message for an offline device up to 30 days; a redelivery normally comes at
 * the next login, seconds later.
 */
const SEEN_RETENTION_MS = 30 * 24 * 3600_000;
const SEEN_PRUNE_INTERVAL_MS = 3600_000;

/**
 * The durable outbox between the supervisor and every event sink (design.md §13). A session event
 * is written to `DATA_DIR/outbox.sqlite` inside the registry's synchronous fan-out —
 * before the host's report counts as handled — and only then offered to the lanes. Each lane
 * (sink × event kind) delivers in order, at least once, with the event's idempotency key.
 */
export class EventOutbox {
  private readonly store: OutboxStore;
  private readonly lanes = new Map<string, Lane>();
  private readonly sinks = new Map<string, EventSink>();
  private readonly budgets = new Map<string, RateBudget>();
  private readonly abort = new AbortController();
  private readonly feed = new Set<FeedListener>();
  private readonly now: () => number;
  private readonly log: Logger;
  private started = false;
  private closed: Promise<void> | null = null;
  /** Stats at close: /health keeps answering while the rest of the supervisor shuts down. */
  private finalStats: OutboxStats | null = null;
  private readonly counts = { delivered: 0, deadLettered: 0, unknownMessages: 0, coalesced: 0, evicted: 0, throttled: 0, retried: 0, unsupported: 0, lost: 0, duplicates: 0 };
  private seenPrunedAt = 0;

  constructor(private readonly o: OutboxOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.logger.child({ component: 'outbox' });
    this.store = new OutboxStore(join(o.dataDir, 'outbox.sqlite'), o.sync);
    for (const sink of o.sinks) {
      this.sinks.set(sink.name, sink);
      this.budgets.set(sink.name, new RateBudget(sink.ratePerMinute, this.now()));
    }
    this.publishGauges();
  }

  /** Subscribes to session events; returns the unsubscribe function. */
  attach(subscribe: (listener: (e: SessionEvent) => void) => () => void): () => void {
    return subscribe((e) => {
      if (e.kind === 'message-in' && e.stored) return; // admitted through `admitIncoming` already
      const out = toOutbound(e);
      if (out) this.enqueue(out);
    });
  }

  /** Persists the event for every sink that carries it (synchronously, fsynced), then wakes its lanes. */
  enqueue(event: OutboundEvent): void {
    if (this.abort.signal.aborted || this.finalStats) return;
    this.write(event, false);
  }

  /**
   * A host's incoming messages, before WhatsApp gets their receipt (issues 13 §8, 14): each one not
   * seen before is committed for every sink and the live feed; returns those (the others were
   * reported before: WhatsApp redelivered them to a host that died before its receipt). Throws
   * when they could not be committed — the host then withholds the receipt and WhatsApp keeps them.
   */
  admitIncoming(sessionId: string, messages: readonly IncomingMessage[]): IncomingMessage[] {
    if (this.abort.signal.aborted || this.finalStats) throw new WorkerError('OUTBOX_CLOSED', 'the outbox is closed (the supervisor is stopping)');
    if (messages.length === 0) return [];
    return this.write({ kind: 'messages', sessionId, messages: [...messages] }, true);
  }

  /** Persists and publishes `event`; returns the incoming messages that were new. `strict`: throw instead of counting a loss. */
  private write(event: OutboundEvent, strict: boolean): IncomingMessage[] {
    const items: AppendItem[] = [];
    const parts: { part: OutboundEvent; key: string }[] = [];
    for (const part of splitMessages(event)) {
      const key = idempotencyKey(part);
      parts.push({ part, key });
      let carried = false;
      for (const sink of this.sinks.values()) {
        if (!sink.accepts(part)) continue;
        carried = true;
        items.push({ lane: laneName(sink.name, part.kind), key, event: part });
      }
      if (!carried) {
        // No configured sink carries it (e.g. an incoming message with BACKEND_PROFILE=whatsam and
        // no WEBHOOK_URL; start-up warns about that): counted, not stored.
        this.counts.unsupported += 1;
        this.o.metrics?.outboxEvent('none', part.kind, 'unsupported');
      }
    }
    const seenKeys = event.kind === 'messages' ? parts.map((p) => p.key) : [];
    const repeated = this.persist(event, items, seenKeys, strict);
    const fresh = parts.filter((p) => !repeated.has(p.key));
    if (repeated.size > 0) {
      this.counts.duplicates += repeated.size;
      this.o.metrics?.outboxEvent('none', 'messages', 'duplicate', repeated.size);
      this.log.info({ sessionId: event.sessionId, duplicates: repeated.size }, 'outbox: incoming message(s) reported again after delivery; not sent twice');
    }
    // Live subscribers get every new event (with the key the sinks use), after it was persisted.
    for (const { part, key } of fresh) this.publish(webhookBody(this.o.workerId, part, key));
    return fresh.flatMap(({ part }) => (part.kind === 'messages' ? part.messages : []));
  }

  /** Live feed of every event from now on, client-webhook shaped; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    if (this.finalStats) {
      listener.end();
      return () => undefined;
    }
    this.feed.add(listener);
    return () => this.feed.delete(listener);
  }

  private publish(body: WebhookBody): void {
    for (const l of this.feed) {
      try {
        l.event(body);
      } catch (err) {
        this.log.warn({ err }, 'outbox: a live feed subscriber failed');
      }
    }
  }

  private persist(event: OutboundEvent, items: AppendItem[], seenKeys: readonly string[], strict: boolean): Set<string> {
    if (items.length === 0 && seenKeys.length === 0) return new Set();
    const started = performance.now();
    let added: AppendItem[];
    let repeated: Set<string>;
    try {
      this.makeRoom(items);
      this.forgetOldSeen();
      ({ added, repeated } = this.store.append(items, this.now(), seenKeys));
    } catch (err) {
      // Not written, not acknowledged: the host keeps WhatsApp's receipt, WhatsApp the message.
      if (strict) throw new WorkerError('OUTBOX_WRITE_FAILED', `could not store incoming messages: ${(err as Error).message}`, { cause: err });
      // Disk full or failing: the event cannot be kept. Loud, counted, and the supervisor goes on.
      for (const item of items) this.o.metrics?.outboxEvent(sinkOfLane(item.lane), item.event.kind, 'lost');
      this.counts.lost += items.length;
      this.log.error({ err, sessionId: event.sessionId, kind: event.kind, events: items.length }, 'outbox: could not persist an event; it is lost');
      return new Set();
    }
    this.o.metrics?.observeOutboxAppend((performance.now() - started) / 1000);
    this.publishGauges();
    for (const item of added) this.lane(item.lane).wake();
    return repeated;
  }

  /** At most hourly: keys of incoming messages older than SEEN_RETENTION_MS are forgotten. */
  private forgetOldSeen(): void {
    const now = this.now();
    if (now - this.seenPrunedAt < SEEN_PRUNE_INTERVAL_MS) return;
    this.seenPrunedAt = now;
    this.store.forgetSeen(now - SEEN_RETENTION_MS);
  }

  /** Starts delivery, resuming every lane that still holds events from an earlier run. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const lane of this.store.pendingLanes()) this.lane(lane);
    for (const lane of this.lanes.values()) lane.start(this.abort.signal);
    const stats = this.stats();
    if (stats.pending > 0) this.log.info({ pending: stats.pending }, 'outbox: resuming delivery of events kept from an earlier run');
    for (const [lane, n] of Object.entries(stats.lanes)) {
      if (n.pending > 0 && !this.sinks.has(sinkOfLane(lane))) this.log.warn({ lane, pending: n.pending }, 'outbox: events wait for a sink that is not configured now (e.g. WEBHOOK_URL removed); kept, not sent');
    }
  }

  /** Resolves when no lane of a configured sink holds a pending event. */
  async onIdle(): Promise<void> {
    const live = (): Lane[] => [...this.lanes.values()].filter((l) => this.sinks.has(sinkOfLane(l.name)));
    for (;;) {
      await Promise.all(live().map((l) => l.onIdle()));
      if (live().every((l) => this.store.head(l.name) === undefined)) return;
    }
  }

  stats(): OutboxStats {
    if (this.finalStats) return this.finalStats;
    const lanes: OutboxStats['lanes'] = {};
    let pending = 0;
    let dead = 0;
    for (const c of this.store.counts()) {
      const entry = (lanes[c.lane] ??= { pending: 0, dead: 0 });
      entry[c.state] += c.n;
      if (c.state === 'pending') pending += c.n;
      else dead += c.n;
    }
    return { pending, dead, bytes: this.store.bytes, maxBytes: this.o.maxBytes, lanes, ...this.counts };
  }

  deadLetters(limit = 100, offset = 0): { deadLetters: DeadLetter[]; total: number } {
    if (this.finalStats) return { deadLetters: [], total: this.finalStats.dead };
    const { rows, total } = this.store.deadLetters(limit, offset);
    return { deadLetters: rows.map(toDeadLetter), total };
  }

  /** Moves dead letters back into their lanes (all of them when `ids` is undefined). */
  replay(ids?: readonly number[]): number {
    if (this.finalStats) return 0;
    const lanes = this.store.revive(ids);
    let count = 0;
    for (const [name, n] of lanes) {
      count += n;
      this.lane(name).wake();
      this.o.metrics?.outboxEvent(sinkOfLane(name), name.slice(name.indexOf(':') + 1), 'replayed', n);
    }
    if (count > 0) this.log.info({ count }, 'outbox: dead letters replayed');
    this.publishGauges();
    return count;
  }

  /** Deletes one dead letter for good (an operator's decision); false when there is none with that id. */
  discard(id: number): boolean {
    if (this.finalStats) return false;
    const gone = this.store.removeDead(id);
    if (gone) this.log.warn({ id }, 'outbox: dead letter discarded by an operator');
    this.publishGauges();
    return gone;
  }

  /** Stops delivery; waits up to `timeoutMs` for pending events first. What is left stays on disk. */
  close(timeoutMs: number): Promise<void> {
    this.closed ??= (async () => {
      if (this.started && timeoutMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.onIdle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      }
      this.abort.abort();
      for (const l of this.feed) l.end();
      this.feed.clear();
      await Promise.all([...this.lanes.values()].map((l) => l.stopped()));
      this.finalStats = this.stats();
      if (this.finalStats.pending > 0) this.log.info({ left: this.finalStats.pending }, 'outbox: events kept on disk for the next start');
      this.store.close();
    })();
    return this.closed;
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (lane) return lane;
    const sink = this.sinks.get(sinkOfLane(name));
    if (!sink) {
      // Events of a sink no longer configured (e.g. WEBHOOK_URL removed): kept, not delivered.
      lane = new Lane(name, unconfigured(sinkOfLane(name)), this.store, new RateBudget(0, 0), this.laneSettings(), this.report(), this.log);
    } else {
      lane = new Lane(name, sink, this.store, this.budgets.get(sink.name)!, this.laneSettings(), this.report(), this.log);
    }
    this.lanes.set(name, lane);
    if (this.started && sink) lane.start(this.abort.signal);
    return lane;
  }

  private laneSettings() {
    const min = this.o.retryMinMs ?? 500;
    const max = this.o.retryMaxMs ?? 30_000;
    return { rejectRetries: this.o.rejectRetries, backoffMs: (a: number) => backoffDelay(a, { initialMs: min, maxMs: max, jitter: EQUAL_JITTER }), maxRetryAfterMs: this.o.maxRetryAfterMs ?? 15 * 60_000, now: this.now };
  }

  private report() {
    return {
      settled: (row: OutboxRow, d: Decision) => this.settled(row, d),
      coalesced: (lane: string, n: number) => {
        this.counts.coalesced += n;
        this.o.metrics?.outboxEvent(sinkOfLane(lane), 'session-status', 'coalesced', n);
        this.publishGauges();
      },
    };
  }

  private settled(row: OutboxRow, d: Decision): void {
    const sink = sinkOfLane(row.lane);
    const result = { delivered: 'delivered', unknown: 'unknown_message', dead: 'dead_lettered', throttled: 'throttled', retry: 'retried' }[d.action];
    this.o.metrics?.outboxEvent(sink, row.event.kind, result);
    switch (d.action) {
      case 'delivered':
        this.counts.delivered += 1;
        break;
      case 'unknown':
        this.counts.unknownMessages += 1;
        this.log.debug({ lane: row.lane, sessionId: row.sessionId, key: row.key }, 'outbox: the backend does not know this message (404); not retried');
        break;
      case 'dead':
        this.counts.deadLettered += 1;
        this.log.error({ lane: row.lane, sessionId: row.sessionId, key: row.key, id: row.seq, reason: d.reason }, 'outbox: event rejected by its sink; moved to the dead-letter store (GET /api/events/dead-letters)');
        break;
      case 'throttled':
        this.counts.throttled += 1;
        this.log.warn({ lane: row.lane, waitMs: d.delayMs }, 'outbox: sink answered 429; this lane waits');
        break;
      case 'retry':
        this.counts.retried += 1;
        break;
    }
    this.publishGauges();
  }

  /** Quota: evicts receipts first, then the oldest events, until `items` fit. Never silent. */
  private makeRoom(items: readonly AppendItem[]): void {
    const incoming = items.reduce((n, i) => n + Buffer.byteLength(JSON.stringify(i.event)), 0);
    while (this.store.bytes + incoming > this.o.maxBytes) {
      const victim = this.store.evictable();
      if (!victim) return;
      this.store.remove(victim.seq);
      this.counts.evicted += 1;
      this.o.metrics?.outboxEvent(sinkOfLane(victim.lane), victim.kind, 'evicted');
      this.log.error({ lane: victim.lane, key: victim.key, state: victim.state, maxBytes: this.o.maxBytes }, 'outbox: OUTBOX_MAX_BYTES reached; evicted an undelivered event');
    }
  }

  private publishGauges(): void {
    if (!this.o.metrics) return;
    let pending = 0;
    let dead = 0;
    for (const c of this.store.counts()) {
      if (c.state === 'pending') pending += c.n;
      else dead += c.n;
    }
    this.o.metrics.setOutbox(pending, dead, this.store.bytes);
  }
}
