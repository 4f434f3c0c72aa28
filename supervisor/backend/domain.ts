import type { IncomingMessage, ReceiptStatus } from '../../src/ipc/protocol.js';
import type { RecoveryResult, SessionView } from '../../src/session-view.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';

/**
 * The worker's own view of what it tells the backend. Profiles translate these into wire bodies;
 * nothing here knows a route or a field name of either backend.
 */
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
