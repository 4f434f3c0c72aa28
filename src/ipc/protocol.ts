/**
 * The one IPC protocol between the supervisor and a session host (Node `child_process` IPC,
 * advanced serialization off: plain JSON-compatible objects only).
 *
 * - Discriminated unions on `type`, both directions.
 * - Requests carry a numeric `id`; the host answers each with exactly one `response` of that id.
 * - Errors cross the boundary as `{code, message}` and are rebuilt as `WorkerError` on the far side.
 * - Secrets (storage keys, encryption keys) travel only in `init`, never in argv or the environment
 *   visible in `ps`.
 */
import type { SessionStatus, FailureReason } from '../status.js';

export const IPC_PROTOCOL_VERSION = 1;

export interface IpcError {
  code: string;
  message: string;
}

// ---------------------------------------------------------------- init payload

export type StorageSettings =
  | { driver: 'local'; dataDir: string }
  | {
      driver: 'minio';
      endPoint: string;
      port: number;
      useSSL: boolean;
      accessKey: string;
      secretKey: string;
      bucket: string;
      region: string;
    };

export interface HostInit {
  type: 'init';
  protocol: number;
  /**
   * The session this host serves for its whole life. A host forked with `--session <id>` checks it
   * against argv; a spare (forked with `--spare`, issue 15) learns it here.
   */
  sessionId: string;
  workerId: string;
  dataDir: string;
  storage: StorageSettings;
  storageTimeoutMs: number;
  /** AES-256-GCM keys as base64; the first encrypts, all decrypt (rotation). Empty = plain. */
  encryptionKeys: string[];
  /** Undefined = Baileys' default WhatsApp URL. */
  waWebsocketUrl?: string;
  /**
   * The session's egress proxy URL, credentials included (issue 19 §2: its own, else WA_PROXY_URL);
   * undefined = direct. Only here, never in argv, env or logs (shown redacted).
   */
  proxy?: string;
  qrMaxAttempts: number;
  logLevel: string;
  /** True when the supervisor starts this host to restore a session it had before. */
  isRecovery: boolean;
  /**
   * Optional tuning (additive, session-host issue). Baileys' keep-alive ping interval: a connection
   * silent for this plus 5 s is treated as lost (stall detection). Default 30000.
   */
  keepAliveIntervalMs?: number;
  /** Time the host gives itself to stop (flush + close) before it exits anyway. Default 8000. */
  stopTimeoutMs?: number;
  /**
   * How long a send waits for Baileys to hand the message to WhatsApp before the host answers
   * `pending` (the send goes on; its outcome follows as a `receipt`). Default 20000.
   */
  sendConfirmTimeoutMs?: number;
  /** How long each QR code is shown before the next (Baileys' `qrTimeout`). Default: 60 s, then 20 s. */
  qrTimeoutMs?: number;
  /** BAD_SESSION_MAX_ATTEMPTS: reconnects after close code 500 without an `open`, then `failed`. Default 5. */
  badSessionMaxAttempts?: number;
  /**
   * LOGOUT_TIMEOUT_MS: how long a host asked to log out waits for an open socket to tell WhatsApp
   * before it leaves the logout pending (exit 17, auth kept). Default 30000.
   */
  logoutTimeoutMs?: number;
  /** Started only to log out a session that had no live socket (issue 13 §7). */
  logoutOnly?: boolean;
  /**
   * CONTACT_CHECK_CACHE_TTL_MS: how long a number check (`check-contact`, and the one before a
   * send to a phone number) is remembered by this host. Default 600000.
   */
  contactCacheTtlMs?: number;
  /** Media limits and references (issue 14 §4, issue 16 §3). Absent = the defaults of MEDIA_* in src/config/spec.ts. */
  media?: HostMediaSettings;
}

export interface HostMediaSettings {
  /** MEDIA_ALLOW_PRIVATE_URLS: media URLs may reach loopback/private/link-local/CGNAT/metadata addresses. */
  allowPrivateUrls: boolean;
  /** MEDIA_MAX_BYTES: largest medium fetched for a send or downloaded from WhatsApp. */
  maxBytes: number;
  /** MEDIA_FETCH_TIMEOUT_MS: deadline of one fetch or download, redirects included. */
  fetchTimeoutMs: number;
  /** Base of the worker API for references to stored incoming media; undefined = no absolute URL. */
  publicBaseUrl?: string;
}

// ---------------------------------------------------------------- outgoing messages (API → WhatsApp)

export type OutgoingMessage =
  | { type: 'text'; text: string }
  | { type: 'image' | 'video'; url: string; caption?: string; mimetype?: string }
  | { type: 'audio'; url: string; mimetype?: string; ptt?: boolean }
  | { type: 'document'; url: string; caption?: string; fileName?: string; mimetype?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  /** A contact card; the host writes the vCard. */
  | { type: 'contact'; name: string; phone: string; email?: string; organization?: string }
  /** A text carrying a URL; title/description make a preview without fetching anything. */
  | { type: 'link'; url: string; text?: string; title?: string; description?: string }
  | { type: 'poll'; question: string; options: string[]; multipleAnswers: boolean };

/**
 * What a session does to a chat or to a message already in it (the whatsam backend's `seen`,
 * `typing_*` and `manage` commands). `fromMe` says whose message `messageId` is; when absent the
 * host decides from the ids it sent itself.
 */
export type ChatAction =
  | { action: 'typing'; state: 'composing' | 'paused' }
  | { action: 'read'; messageId: string; fromMe?: boolean }
  | { action: 'revoke'; messageId: string }
  | { action: 'delete_for_me'; messageId: string; fromMe?: boolean }
  | { action: 'react'; messageId: string; emoji: string; fromMe?: boolean }
  | { action: 'edit'; messageId: string; text: string }
  | { action: 'star'; messageId: string; star: boolean; fromMe?: boolean };

export interface ActionResult {
  /** Id of the message the action sent (revoke, reaction, edit); null for receipts, presence, app state. */
  messageId: string | null;
  to: string;
  timestamp: string;
}

/**
 * `sent`: Baileys handed the message to WhatsApp. `pending`: accepted, not confirmed within the
 * host's confirm timeout — it may still go out; a `receipt` (`sent` or `failed`) follows.
 */
export interface SendResult {
  messageId: string;
  /** Recipient JID as WhatsApp addressed it. */
  to: string;
  status: 'pending' | 'sent';
  timestamp: string;
}

// ---------------------------------------------------------------- supervisor → host

export type RequestMessage =
  | { type: 'ping'; id: number }
  | { type: 'stop'; id: number; reason?: string }
  | { type: 'logout'; id: number }
  /**
   * `messageId`: the WhatsApp id to send under (chosen by the supervisor). A host that already
   * knows the id never sends it again: it answers with that message's current state.
   */
  | { type: 'send'; id: number; to: string; message: OutgoingMessage; messageId?: string }
  | { type: 'act'; id: number; to: string; act: ChatAction }
  /** Is `phone` (digits) on WhatsApp? Baileys `onWhatsApp`, through the host's per-session cache. */
  | { type: 'check-contact'; id: number; phone: string }
  /**
   * Link by phone-number code instead of a QR (issue 19 §1): Baileys `requestPairingCode(phone)` on
   * the socket in its pair-device round (the host waits up to `waitMs` for one).
   */
  | { type: 'pairing-code'; id: number; phone: string; waitMs: number };

/**
 * The supervisor's answer to a `message-in` that carried a `deliveryId`: `ok` once the outbox
 * committed the messages (or already had them: a redelivery), otherwise the error. The host sends
 * WhatsApp the delivery receipt only after `ok` (issues 13 §8, 14).
 */
export type MessageInAck =
  | { type: 'message-in-ack'; deliveryId: number; ok: true }
  | { type: 'message-in-ack'; deliveryId: number; ok: false; error: IpcError };

export type SupervisorToHost = HostInit | RequestMessage | MessageInAck;

/** What each request type resolves to. */
export interface ResponseMap {
  ping: PingStats;
  stop: { generation: number };
  /** Accepted: the host exits within `deadlineMs`, logged out (10) or with the logout pending (17). */
  logout: { accepted: true; deadlineMs: number };
  send: SendResult;
  act: ActionResult;
  'check-contact': ContactCheck;
  'pairing-code': PairingCodeOffer;
}

/** A pairing code to type on the phone (WhatsApp → Linked devices → Link with phone number). */
export interface PairingCodeOffer {
  /** 8 characters as Baileys made them (Crockford base32); a secret while it lives: redacted in logs. */
  pairingCode: string;
  /** Digits of the phone that must enter it. */
  phoneNumber: string;
  /** ISO-8601: afterwards the host drops it and starts a fresh registration. */
  expiresAt: string;
}

/** A number check: `jid` is WhatsApp's JID for the number, null when it is not on WhatsApp. */
export interface ContactCheck {
  phone: string;
  exists: boolean;
  jid: string | null;
}
export type RequestType = keyof ResponseMap;

export interface PingStats {
  /** Host's own view, cheap to gather on every watchdog tick. */
  uptimeMs: number;
  rssBytes: number;
  /** Share of wall time (0–1) the host's event loop was busy since the previous ping (or its start). */
  eventLoopUtilization: number;
}

// ---------------------------------------------------------------- host → supervisor

export interface ReadyMessage {
  type: 'ready';
  pid: number;
  /** Generation of the auth state the host restored (0 = fresh, no auth). */
  generation: number;
  restoredFrom: 'local' | 'remote' | 'legacy' | 'none';
  /**
   * Milliseconds from process start to `ready`; for a spare, from its `init` (the part of the boot
   * the session waited for).
   */
  bootMs: number;
  /** True when this host was a pre-booted spare before its `init` (HOST_SPARES). */
  spare?: boolean;
}

/**
 * A spare host (forked with `--spare`, no session yet) finished loading its modules and waits for
 * its `init`. Sent once; a spare never sends anything else before `init`.
 */
export interface SpareReadyMessage {
  type: 'spare-ready';
  pid: number;
  /** CPU ms the spare spent from process start to here (Node bootstrap + the bundle). */
  bootCpuMs: number;
}

export interface InitFailedMessage {
  type: 'init-failed';
  error: IpcError;
  /**
   * `lock_held` (exit 13) and `storage_unavailable` (exit 16) are transient: the supervisor restarts
   * with backoff. `storage_error`, `init_failed` (exit 14) are not. The host exits right after.
   */
  reason: FailureReason;
}

export interface StatusMessage {
  type: 'status';
  status: SessionStatus;
  reason?: FailureReason;
  /** Digits only, e.g. `15550001111`; set once WhatsApp told the host who it is. */
  phoneNumber?: string;
  /** Baileys close code behind a `reconnecting`/terminal status. */
  closeCode?: number;
  at: string;
}

export interface QrMessage {
  type: 'qr';
  qr: string;
  attempt: number;
  expiresAt: string;
}

export interface IncomingMessage {
  id: string;
  from: string;
  /** ISO-8601. */
  timestamp: string;
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contact' | 'reaction' | 'other';
  text?: string;
  pushName?: string;
  /**
   * True when WhatsApp held the message while this session was offline (host down, worker
   * stopped, socket lost) and delivered it at the next login. Absent for live messages.
   */
  offline?: true;
  /**
   * Image, video, audio, document or sticker: downloaded from WhatsApp by the host, decrypted,
   * checked and stored (issue 14 §4). Absent for other types; absent with `mediaError` set when
   * the download failed (the message itself is still delivered).
   */
  media?: IncomingMedia;
  /** Why `media` is missing for a media message (a stable code, e.g. MEDIA_TOO_LARGE). */
  mediaError?: string;
}

export interface IncomingMedia {
  mimetype: string;
  /** Bytes of the decrypted medium. */
  size: number;
  /** SHA-256 of the decrypted medium, hex. */
  sha256: string;
  /** `GET /api/sessions/:id/media/:messageId` on this worker (bearer auth). */
  url: string;
}

export interface MessageInMessage {
  type: 'message-in';
  messages: IncomingMessage[];
  /**
   * Set when the host holds WhatsApp's delivery receipt until the supervisor answers with a
   * `message-in-ack` of this id (session-host/inbox.ts). Absent: nothing waits (messages Baileys
   * emitted without the inbox hook, e.g. placeholder resends).
   */
  deliveryId?: number;
}

export type ReceiptStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ReceiptMessage {
  type: 'receipt';
  messageId: string;
  remoteJid: string;
  status: ReceiptStatus;
  at: string;
}

export interface SnapshotMessage {
  type: 'snapshot';
  generation: number;
  bytes: number;
  durationMs: number;
  trigger: 'debounce' | 'connected' | 'stop' | 'restore';
}

export interface ReconnectMessage {
  type: 'reconnect';
  closeCode: number;
  attempt: number;
  delayMs: number;
}

export interface StorageOpMessage {
  type: 'storage-op';
  op: string;
  ok: boolean;
  durationMs: number;
  bytes: number;
  errorCode?: string;
}

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: ResponseMap[RequestType] }
  | { type: 'response'; id: number; ok: false; error: IpcError };

export type HostToSupervisor =
  | SpareReadyMessage
  | ReadyMessage
  | InitFailedMessage
  | StatusMessage
  | QrMessage
  | MessageInMessage
  | ReceiptMessage
  | SnapshotMessage
  | ReconnectMessage
  | StorageOpMessage
  | ResponseMessage;

// ---------------------------------------------------------------- guards

const HOST_TYPES = new Set<HostToSupervisor['type']>([
  'spare-ready', 'ready', 'init-failed', 'status', 'qr', 'message-in', 'receipt', 'snapshot', 'reconnect', 'storage-op', 'response',
]);
const SUPERVISOR_TYPES = new Set<SupervisorToHost['type']>(['init', 'ping', 'stop', 'logout', 'send', 'act', 'check-contact', 'pairing-code', 'message-in-ack']);

export function isHostMessage(value: unknown): value is HostToSupervisor {
  return typeof value === 'object' && value !== null && HOST_TYPES.has((value as { type: HostToSupervisor['type'] }).type);
}

export function isSupervisorMessage(value: unknown): value is SupervisorToHost {
  return typeof value === 'object' && value !== null && SUPERVISOR_TYPES.has((value as { type: SupervisorToHost['type'] }).type);
}
