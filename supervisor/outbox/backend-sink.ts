import { errorCode } from '../../src/errors.js';
import type { BackendProfile, OutboundEvent } from '../backend/contract.js';
import type { BackendHttp } from '../backend/http.js';
import type { AttemptOutcome } from './delivery-policy.js';
import type { EventSink } from './sink.js';

export interface BackendSinkOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  /** The backend rejects events from a worker it does not know yet: wait for registration. */
  whenReady: (signal: AbortSignal) => Promise<boolean>;
}

/** The control-plane backend's webhooks, as the profile maps them. */
export function backendSink(o: BackendSinkOptions): EventSink {
  const policy = o.profile.eventPolicy;
  return {
    name: 'backend',
    accepts: (e) => o.profile.event(o.workerId, e, 'k') !== null,
    async send(e, key, signal): Promise<AttemptOutcome> {
      const req = o.profile.event(o.workerId, e, key);
      if (req === null) return { kind: 'answered', status: 422 };
      try {
        const res = await o.http.send(req, { operation: `event:${e.kind}`, signal });
        return { kind: 'answered', status: res.status, retryAfter: res.retryAfter };
      } catch (err) {
        return { kind: 'no-answer', code: errorCode(err) };
      }
    },
    whenReady: o.whenReady,
    coalesceStatus: policy.coalesceStatus,
    ratePerMinute: policy.ratePerMinute,
    unknownOn404: (e: OutboundEvent) => policy.unknownMessageOn404 && e.kind === 'message-status',
    // Receipts are the least urgent: they never take the last part of a shared budget.
    priority: (e: OutboundEvent) => (e.kind === 'message-status' ? 'low' : 'high'),
  };
}
