import type { OutboundEvent } from './domain.js';

/**
 * The bounded, ordered queue of events waiting for the backend (pure: no timers, no I/O).
 *
 * - FIFO overall, so every session's events leave in the order they happened.
 * - Incoming messages join the session's last queued batch when nothing of that session was
 *   queued after it (batching must not reorder a session's events), up to `maxBatch`.
 * - Over capacity, one item is dropped, chosen in this order:
 *   1. the oldest *superseded* status (a later status of the same session is queued): the backend
 *      only needs the newest one, so nothing it acts on is lost;
 *   2. the oldest message batch or receipt;
 *   3. the oldest item at all (only when the queue holds nothing but each session's newest status,
 *      i.e. more sessions than capacity). The item just pushed is never the one dropped.
 */
export interface QueuedEvent {
  seq: number;
  event: OutboundEvent;
}

export interface PushResult {
  merged: boolean;
  dropped: QueuedEvent | null;
}

export class EventQueue {
  private items: QueuedEvent[] = [];
  private nextSeq = 1;
  droppedTotal = 0;

  constructor(
    readonly capacity: number,
    readonly maxBatch = 100,
  ) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  push(event: OutboundEvent): PushResult {
    if (event.kind === 'messages' && this.mergeMessages(event)) return { merged: true, dropped: null };
    this.items.push({ seq: this.nextSeq++, event });
    const dropped = this.items.length > this.capacity ? this.dropOne() : null;
    return { merged: false, dropped };
  }

  peek(): QueuedEvent | undefined {
    return this.items[0];
  }

  shift(): QueuedEvent | undefined {
    return this.items.shift();
  }

  snapshot(): readonly QueuedEvent[] {
    return [...this.items];
  }

  private mergeMessages(event: Extract<OutboundEvent, { kind: 'messages' }>): boolean {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const q = this.items[i]!;
      if (q.event.sessionId !== event.sessionId) continue;
      // The session's last queued item decides: only a message batch with room can take more.
      if (q.event.kind !== 'messages' || q.event.messages.length + event.messages.length > this.maxBatch) return false;
      q.event = { ...q.event, messages: [...q.event.messages, ...event.messages] };
      return true;
    }
    return false;
  }

  private dropOne(): QueuedEvent | null {
    const newest = this.items.length - 1;
    // One backward pass finds the oldest superseded status: O(n) even when every push drops.
    let superseded = -1;
    const laterStatus = new Set<string>();
    for (let i = newest; i >= 0; i--) {
      const e = this.items[i]!.event;
      if (e.kind !== 'session-status') continue;
      if (laterStatus.has(e.sessionId)) superseded = i;
      else laterStatus.add(e.sessionId);
    }
    let index = superseded;
    if (index < 0) index = this.items.findIndex((q, i) => i < newest && q.event.kind !== 'session-status');
    if (index < 0) index = 0;
    const [dropped] = this.items.splice(index, 1);
    this.droppedTotal += 1;
    return dropped ?? null;
  }
}
