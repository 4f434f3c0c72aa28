import type { IncomingMessage, ReceiptStatus } from './ipc/protocol.js';
import type { SessionProxyView } from './proxy/proxy-url.js';
import type { FailureReason, SessionStatus } from './status.js';

/**
 * The worker's own read model of one session: what the API returns, what heartbeats report and
 * what metrics count. The supervisor builds it from a session actor; profile mappers translate it
 * for the backend. Nullable fields are null when unknown (never omitted here).
 */
export interface SessionView {
  sessionId: string;
  userId: string | null;
  name: string | null;
  status: SessionStatus;
  reason: FailureReason | null;
  /** Digits only, e.g. `15550001111`. */
  phoneNumber: string | null;
  /** Session host pid, null when no host runs. */
  pid: number | null;
  /** Restarts after abnormal exits since the session was created or last restarted by an operator. */
  restarts: number;
  /** True when this session was restored from earlier auth in this worker's life (recovery or restart). */
  isRecovered: boolean;
  qr: string | null;
  qrExpiresAt: string | null;
  /** The pairing code on offer while `pairing_code_required` (issue 19 §1), else null. */
  pairingCode: string | null;
  pairingCodeExpiresAt: string | null;
  /** ISO-8601 of the last sign of life from WhatsApp (message, receipt, status change). */
  lastSeen: string | null;
  connectedAt: string | null;
  /** Baileys close code behind the last reconnect or ending (e.g. 428, 515, 401), null before any. */
  lastCloseCode: number | null;
  /** ISO-8601 of the scheduled restart while the host waits out its backoff, else null. */
  nextRestartAt: string | null;
  /** The egress proxy its host uses (credentials shown as `***`); null = direct (issue 19 §2). */
  proxy: SessionProxyView | null;
}

/** Where a session came from: created through this worker's API, or assigned by the backend. */
export interface SessionSpec {
  sessionId: string;
  userId?: string | null;
  name?: string | null;
}

/** Result of recovering one session at start, as the recovery report needs it. */
export interface RecoveryResult {
  sessionId: string;
  outcome: 'recovered' | 'failed' | 'skipped';
  status: SessionStatus;
  reason?: FailureReason;
  phoneNumber: string | null;
  error?: string;
  attempts: number;
  durationMs: number;
  at: string;
}

/** Events the supervisor emits for the backend client, metrics and API (in order per session). */
export type SessionEvent =
  | { kind: 'status'; sessionId: string; status: SessionStatus; previous: SessionStatus | null; reason?: FailureReason; phoneNumber: string | null; at: string }
  | { kind: 'qr'; sessionId: string; qr: string; expiresAt: string; attempt: number; at: string }
  /** A pairing code to type on the phone `phoneNumber` (issue 19 §1); like a QR, it reaches the backend. */
  | { kind: 'pairing-code'; sessionId: string; pairingCode: string; phoneNumber: string; expiresAt: string; at: string }
  | { kind: 'recovery'; sessionId: string; result: RecoveryResult }
  /** `stored`: already committed to the outbox (`admitIncoming`) before this event was published. */
  | { kind: 'message-in'; sessionId: string; messages: IncomingMessage[]; stored?: true }
  | { kind: 'receipt'; sessionId: string; messageId: string; remoteJid: string; status: ReceiptStatus; at: string };
