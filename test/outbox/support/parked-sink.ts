import type { EventSink } from '../../../supervisor/outbox/sink.js';

/** A sink that never answers until its send is aborted: every event stays pending (as in an outage). */
export const parkedSink: EventSink = {
  name: 'backend',
  accepts: () => true,
  send: (_e, _k, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'no-answer', code: 'BACKEND_ABORTED' }))),
  coalesceStatus: false,
  ratePerMinute: 0,
  unknownOn404: () => false,
  priority: () => 'high',
};
