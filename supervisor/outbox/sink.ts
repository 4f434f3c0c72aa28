import type { OutboundEvent } from '../backend/contract.js';
import type { AttemptOutcome } from './delivery-policy.js';
import type { Priority } from './rate-budget.js';

/**
 * One destination of the event stream (the control-plane backend, or the client webhook). The
 * sink knows its wire format (through a profile mapper) and its limits; the outbox knows order,
 * persistence and retries. Each (sink, event kind) is its own lane: a broken messages endpoint
 * never delays session statuses.
 */
export interface EventSink {
  /** `backend` or `webhook`; lane names start with it. */
  readonly name: string;
  /** Can this sink carry the event at all? (e.g. whatsam has no route for incoming messages). */
  accepts(event: OutboundEvent): boolean;
  /** One attempt; never throws (an unanswered request is an outcome too). */
  send(event: OutboundEvent, key: string, signal: AbortSignal): Promise<AttemptOutcome>;
  /** Resolves true once events may be sent (the backend knows this worker), false on abort. */
  whenReady?(signal: AbortSignal): Promise<boolean>;
  /** Status lanes keep only each session's newest status (a rate-limited backend). */
  readonly coalesceStatus: boolean;
  /** Requests per minute all of this sink's lanes share; 0 = no limit. */
  readonly ratePerMinute: number;
  /** A 404 for this event means "unknown message": settled, not retried. */
  unknownOn404(event: OutboundEvent): boolean;
  priority(event: OutboundEvent): Priority;
}

export function laneName(sink: string, kind: OutboundEvent['kind']): string {
  return `${sink}:${kind}`;
}

export function sinkOfLane(lane: string): string {
  return lane.slice(0, lane.indexOf(':'));
}

/** Stands in for a sink that is not configured now (e.g. WEBHOOK_URL removed): its lane's events are kept, never sent. */
export function unconfigured(name: string): EventSink {
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
