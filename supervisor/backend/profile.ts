import type {
  AssignmentList,
  HeartbeatSnapshot,
  OutboundEvent,
  RecoveryReport,
  RegisterOutcome,
  WorkerIdentity,
} from './domain.js';
import type { BackendError } from './errors.js';
import type { WireRequest, WireResponse } from './wire.js';

export interface EventPolicy {
  /** Keep only each session's newest status when events wait (QR codes first). */
  coalesceStatus: boolean;
  /** Webhook requests per minute this worker allows itself; 0 = no limit. */
  ratePerMinute: number;
  /** A 404 on message-status means "the backend does not know that message": settled, not retried. */
  unknownMessageOn404: boolean;
}

/**
 * One backend contract: every route and body shape of it lives in the implementing file and
 * nowhere else. All functions are pure; the client does the I/O.
 */
export interface BackendProfile {
  readonly name: 'seed' | 'whatsam';
  /** Throws BackendError('BACKEND_WORKER_ID_INVALID') when the backend could never accept the id. */
  checkIdentity(identity: WorkerIdentity): void;
  register(identity: WorkerIdentity): WireRequest;
  parseRegister(res: WireResponse): RegisterOutcome;
  /**
   * A registration answer that is not 2xx, read as a refusal only an operator can resolve
   * (`REGISTRATION_PROBLEMS`, e.g. the backend cannot reach WORKER_ENDPOINT); null: an ordinary
   * failure, classified by its status.
   */
  registrationRefusal(res: WireResponse, identity: WorkerIdentity): BackendError | null;
  assignments(workerId: string): WireRequest;
  /**
   * 2xx or 404; other statuses never reach it. Which 404 means "none assigned" is the profile's
   * rule (the hook is `parseAssignmentList`'s `noneAssigned`); any other 404 or an unparsable body
   * must throw, so the worker keeps its sessions and cache and retries.
   */
  parseAssignments(res: WireResponse): AssignmentList;
  recoveryReport(workerId: string, report: RecoveryReport): WireRequest;
  heartbeat(workerId: string, snapshot: HeartbeatSnapshot): WireRequest;
  /**
   * The webhook call for one event, carrying its idempotency key in the `Idempotency-Key` header
   * and the body's `idempotencyKey`. null: this profile has no way to carry the event (it is not
   * queued for the backend; the client webhook, when configured, still gets it).
   */
  event(workerId: string, event: OutboundEvent, key: string): WireRequest | null;
  /** How this backend wants its events paced (see supervisor/outbox/). */
  readonly eventPolicy: EventPolicy;
  /**
   * Said once on a graceful shutdown, after the last heartbeat (never an unregister: sessions stay
   * assigned for the next start). null: the profile has no such call.
   */
  goingOffline(workerId: string, at: string): WireRequest | null;
  /** null: the profile has no unregister route. */
  unregister(identity: WorkerIdentity): WireRequest | null;
}
