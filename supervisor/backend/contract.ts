import type { IncomingMessage, ReceiptStatus } from '../../src/ipc/protocol.js';
import type { RecoveryResult, SessionEvent, SessionSpec, SessionView } from '../../src/session-view.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';
import type { BackendError } from './errors.js';

/*
 * The backend contract in one place: what the worker says and hears (its own vocabulary), one HTTP
 * request as a profile describes it, the profile interface every backend implements, and the
 * supervisor's side the integration drives. Profiles (profiles/) translate between the first and
 * the wire; nothing in this file knows a route or a field name of either backend.
 */

// The worker's vocabulary.

/** Who this worker is, as its registration tells the backend. */
export interface WorkerIdentity {
  workerId: string;
  endpoint: string;
  maxSessions: number;
  version: string;
  features: readonly string[];
  /** Deployment environment name as the operator set it (NODE_ENV), lower case; may be empty. */
  environment: string;
  description: string;
}

/** What a register call told us; every field optional because backends differ. */
export interface RegisterOutcome {
  isRecovery: boolean | null;
  previousSessions: number | null;
}

/** One session the backend assigns to this worker. */
export interface Assignment {
  sessionId: string;
  userId: string | null;
  name: string | null;
}

/** The parsed assignment list; `ignored` counts entries dropped for an invalid or missing id. */
export interface AssignmentList {
  sessions: Assignment[];
  ignored: number;
}

export interface MachineMetrics {
  /** Percent of the whole machine's CPU time used since the previous sample, 0-100. */
  cpuPercent: number;
  /** Percent of the machine's memory in use, 0-100. */
  memoryPercent: number;
  /** Seconds since this worker process started. */
  uptimeSec: number;
}

/** Everything one heartbeat says, taken at one instant. */
export interface HeartbeatSnapshot {
  at: string;
  metrics: MachineMetrics;
  messageCount: number;
  maxSessions: number;
  version: string;
  features: readonly string[];
  /** All sessions the worker knows; profiles count them even when `includeSessions` is false. */
  sessions: readonly SessionView[];
  includeSessions: boolean;
}

export interface RecoveryReport {
  results: readonly RecoveryResult[];
}

/** Events the worker sends to the backend's webhooks. */
export type OutboundEvent =
  | {
      kind: 'session-status';
      sessionId: string;
      /** Seed event name: a status name, `qr_ready`, `recovery_successful`, `recovery_failed`, … */
      event: string;
      status: SessionStatus;
      reason?: FailureReason;
      phoneNumber: string | null;
      qr?: string;
      qrExpiresAt?: string;
      /** `pairing_code` events (issue 19 §1): the code to type on the phone, and until when. */
      pairingCode?: string;
      pairingCodeExpiresAt?: string;
      at: string;
    }
  | { kind: 'messages'; sessionId: string; messages: IncomingMessage[] }
  | { kind: 'message-status'; sessionId: string; messageId: string; remoteJid: string; status: ReceiptStatus; at: string };

// The wire.

/** One HTTP request as a profile describes it; the client adds base URL, auth and timeouts. */
export interface WireRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface WireResponse {
  status: number;
  data: unknown;
  /** The `Retry-After` header of a 429 or 503, as sent. */
  retryAfter?: string;
}

// A backend profile.

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

// The supervisor side.

/**
 * The backend integration's view of the supervisor's session registry. The registry implements
 * it; the integration never reaches past it. `release` stops hosting a session and keeps its auth
 * (never a logout): a session moved to another worker must still be recoverable there.
 */
export interface SessionDirectory {
  list(): SessionView[];
  /** Start hosting an assigned session; idempotent (a session already hosted is left alone). */
  ensure(spec: SessionSpec): Promise<void>;
  /** Stop hosting; auth is kept. Idempotent. */
  release(sessionId: string): Promise<void>;
  /** Subscribe to session events in emission order; returns the unsubscribe function. */
  onEvent(listener: (e: SessionEvent) => void): () => void;
}
