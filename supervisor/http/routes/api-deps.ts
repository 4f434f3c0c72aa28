import { WorkerError } from '../../../src/errors.js';
import type { ActionResult, ChatAction, ContactCheck, OutgoingMessage, PairingCodeOffer, SendResult } from '../../../src/ipc/protocol.js';
import type { Logger } from '../../../src/logger.js';
import type { SessionSpec, SessionView } from '../../../src/session-view.js';
import type { QrRenderer } from '../../qr/qr-renderer.js';
import type { MediaReader } from './media.js';
import type { StorageProbe } from './storage-probe.js';
import type { EventOutbox } from '../../outbox/index.js';

/** What the session API needs of the registry (supervisor/registry/session-registry.ts). */
export interface SessionCommands {
  create(spec: SessionSpec): SessionView;
  /** Create with the session's own proxy (null = the default): saved before its first host starts. */
  createWithProxy(spec: SessionSpec, proxy: string | null): Promise<SessionView>;
  /** Change the session's own proxy (null = the default); a running host restarts on it (issue 19 §2). */
  setProxy(sessionId: string, proxy: string | null): Promise<SessionView>;
  get(sessionId: string): SessionView | undefined;
  list(): SessionView[];
  restart(sessionId: string): SessionView;
  disconnect(sessionId: string): SessionView;
  logout(sessionId: string): SessionView;
  remove(sessionId: string): Promise<void>;
  /** `idempotencyKey`: the same key within 24 h answers the first send's outcome, never sends again. */
  send(sessionId: string, to: string, message: OutgoingMessage, idempotencyKey?: string): Promise<SendResult & { replayed?: boolean }>;
  act(sessionId: string, to: string, act: ChatAction): Promise<ActionResult>;
  /** Is `phone` (digits) on WhatsApp (issue 19 §3); the session must be connected. */
  checkContact(sessionId: string, phone: string): Promise<ContactCheck>;
  /** A code to link the session from the phone `phone` (digits) instead of a QR (issue 19 §1). */
  requestPairingCode(sessionId: string, phone: string, waitMs: number): Promise<PairingCodeOffer>;
  /** Resolves when the session has no host process (after a logout, before removal). */
  whenIdle(sessionId: string): Promise<void>;
}

/** Dependencies of the worker API routes, handed in by the composition root (app.ts). */
export interface ApiDeps {
  readonly logger: Logger;
  readonly sessions: SessionCommands;
  readonly maxSessions: number;
  /** WORKER_AUTH_TOKEN; undefined or empty = the API is open (a loud warning at start). */
  readonly authToken: string | undefined;
  /** The address the server binds (config.host): says whether an open API is loopback-only. */
  readonly host: string;
  readonly qr: QrRenderer;
  readonly storage: StorageProbe;
  /** Recovery of this start has finished (or is disabled). */
  readonly recoveryFinished: () => boolean;
  /** The durable event outbox (dead letters) and live event feed. */
  readonly outbox: EventOutbox;
  /** The supervisor is shutting down. */
  readonly closing: () => boolean;
  readonly version: string;
  /** MEDIA_ALLOW_PRIVATE_URLS (default false): media URLs may name private addresses. */
  readonly mediaAllowPrivateUrls?: boolean;
  /** Stored incoming media (`GET /api/sessions/:id/media/:messageId`); undefined = none served. */
  readonly media?: MediaReader;
}

/** The registry as the API sees it (structural: any object with the registry's methods). */
export function sessionCommands(
  registry: Omit<SessionCommands, 'whenIdle' | 'send'> & { actor(sessionId: string): { onIdle(): Promise<unknown> } | undefined },
  sends: { send(sessionId: string, to: string, message: OutgoingMessage, key?: string): Promise<SendResult & { replayed: boolean }>; forget(sessionId: string): Promise<void> },
): SessionCommands {
  return {
    create: (spec) => registry.create(spec),
    createWithProxy: (spec, proxy) => registry.createWithProxy(spec, proxy),
    setProxy: (id, proxy) => registry.setProxy(id, proxy),
    get: (id) => registry.get(id),
    list: () => registry.list(),
    restart: (id) => registry.restart(id),
    disconnect: (id) => registry.disconnect(id),
    logout: (id) => registry.logout(id),
    remove: async (id) => {
      await registry.remove(id);
      await sends.forget(id);
    },
    send: (id, to, message, key) => {
      // Unknown session: 404 before any idempotency record is written for it.
      if (!registry.get(id)) return Promise.reject(new WorkerError('SESSION_NOT_FOUND', `session ${id} does not exist`, { details: { sessionId: id } }));
      return sends.send(id, to, message, key);
    },
    act: (id, to, act) => registry.act(id, to, act),
    checkContact: (id, phone) => registry.checkContact(id, phone),
    requestPairingCode: (id, phone, waitMs) => registry.requestPairingCode(id, phone, waitMs),
    whenIdle: async (id) => {
      await registry.actor(id)?.onIdle();
    },
  };
}
