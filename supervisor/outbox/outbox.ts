import { join } from 'node:path';
import type { Logger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/session-view.js';
import type { OutboundEvent } from '../backend/domain.js';
import { toOutbound } from '../backend/outbound-events.js';
import { webhookBody, type WebhookBody } from '../backend/profiles/webhook.js';
import { backoffMs } from '../backend/sleep.js';
import type { Decision } from './delivery-policy.js';
import { idempotencyKey, splitMessages } from './keys.js';
import { Lane } from './lane.js';
import { RateBudget } from './rate-budget.js';
import { laneName, sinkOfLane, type EventSink } from './sink.js';
import { OutboxStore, type AppendItem, type OutboxRow, type OutboxSync } from './store.js';

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
}

export interface DeadLetter {
  id: number;
  lane: string;
  sink: string;
  kind: OutboundEvent['kind'];
  sessionId: string;
  idempotencyKey: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deadAt: string | null;
  event: OutboundEvent;
}

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
  private readonly counts = { delivered: 0, deadLettered: 0, unknownMessages: 0, coalesced: 0, evicted: 0, throttled: 0, retried: 0, unsupported: 0, lost: 0 };

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
      const out = toOutbound(e);
      if (out) this.enqueue(out);
    });
  }

  /** Persists the event for every sink that carries it (synchronously, fsynced), then wakes its lanes. */
  enqueue(event: OutboundEvent): void {
    if (this.abort.signal.aborted || this.finalStats) return;
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
    this.persist(event, items);
    // Live subscribers get every event (with the key the sinks use), after it was persisted.
    for (const { part, key } of parts) this.publish(webhookBody(this.o.workerId, part, key));
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

  private persist(event: OutboundEvent, items: AppendItem[]): void {
    if (items.length === 0) return;
    const started = performance.now();
    let added: AppendItem[];
    try {
      this.makeRoom(items);
      added = this.store.append(items, this.now());
    } catch (err) {
      // Disk full or failing: the event cannot be kept. Loud, counted, and the supervisor goes on.
      for (const item of items) this.o.metrics?.outboxEvent(sinkOfLane(item.lane), item.event.kind, 'lost');
      this.counts.lost += items.length;
      this.log.error({ err, sessionId: event.sessionId, kind: event.kind, events: items.length }, 'outbox: could not persist an event; it is lost');
      return;
    }
    this.o.metrics?.observeOutboxAppend((performance.now() - started) / 1000);
    this.publishGauges();
    for (const item of added) this.lane(item.lane).wake();
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
    return { rejectRetries: this.o.rejectRetries, backoffMs: (a: number) => backoffMs(a, min, max), maxRetryAfterMs: this.o.maxRetryAfterMs ?? 15 * 60_000, now: this.now };
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

function toDeadLetter(r: OutboxRow): DeadLetter {
  return {
    id: r.seq,
    lane: r.lane,
    sink: sinkOfLane(r.lane),
    kind: r.event.kind,
    sessionId: r.sessionId,
    idempotencyKey: r.key,
    attempts: r.rejections,
    lastError: r.lastError,
    createdAt: new Date(r.createdAt).toISOString(),
    deadAt: r.deadAt === null ? null : new Date(r.deadAt).toISOString(),
    event: r.event,
  };
}

function unconfigured(name: string): EventSink {
  return {
    name,
    accepts: () => false,
    send: () => Promise.resolve({ kind: 'no-answer', code: 'SINK_NOT_CONFIGURED' }),
    coalesceStatus: false,
    ratePerMinute: 0,
    unknownOn404: () => false,
    priority: () => 'high',
  };
}
