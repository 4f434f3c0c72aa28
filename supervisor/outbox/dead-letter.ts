import type { OutboundEvent } from '../backend/contract.js';
import { sinkOfLane } from './sink.js';
import type { OutboxRow } from './store.js';

/** A dead letter as the API lists it (GET /api/events/dead-letters). */
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

/** A dead row of the store → its API shape. */
export function toDeadLetter(r: OutboxRow): DeadLetter {
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
