import makeWASocket, { DisconnectReason, proto, type ConnectionState, type UserFacingSocketConfig, type WAMessage, type WASocket } from '@whiskeysockets/baileys';

const METADATA_SYNCS: ReadonlySet<number> = new Set([
  proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
  proto.HistorySync.HistorySyncType.PUSH_NAME,
  proto.HistorySync.HistorySyncType.NON_BLOCKING_DATA,
]);
import { withDeadline } from '../src/deadline.js';
import { WorkerError } from '../src/errors.js';
import type { PairingCodeOffer } from '../src/ipc/protocol.js';
import type { FailureReason, SessionStatus } from '../src/status.js';
import type { Logger } from '../src/logger.js';
import type { AuthStore } from './auth/auth-state.js';
import { isUntrustedServerError } from './wa-trust/install.js';
import type { Agent as HttpsAgent } from 'node:https';
import type { ProxyAgents } from './proxy/agents.js';
import { proxyReasonOf } from './proxy/proxy-failure.js';
import { closeCodeOf, decideOnClose, nextBadSessions, reconnectDelay, DEFAULT_BAD_SESSION_MAX } from './reconnect-policy.js';

export type TerminalKind = 'logged-out' | 'replaced' | 'failed';

export interface ConnectionEvents {
  status(status: SessionStatus, extra?: { reason?: FailureReason; closeCode?: number }): void;
  qr(qr: string, attempt: number): void;
  open(): void;
  reconnect(info: { closeCode: number; attempt: number; delayMs: number }): void;
  /** The socket is gone for good; the host must act (delete auth, exit). */
  terminal(kind: TerminalKind, info: { reason?: FailureReason; closeCode?: number }): void;
}

export interface ConnectionOptions {
  auth: AuthStore;
  waWebsocketUrl?: string | undefined;
  /** The session's egress proxy (issue 19 §2): the socket and media uploads go through it. */
  proxy?: ProxyAgents | undefined;
  qrMaxAttempts: number;
  /** Reconnects after close code 500 without an `open` before the session fails (bad_session). */
  badSessionMaxAttempts?: number | undefined;
  keepAliveIntervalMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
  qrTimeoutMs?: number | undefined;
  /** Quiet child logger handed to Baileys. */
  baileysLogger: Logger;
  logger: Logger;
  events: ConnectionEvents;
  /** Baileys' `getMessage`: content of a message we sent, to answer a recipient's retry request. */
  getMessage?: (key: proto.IMessageKey) => Promise<proto.IMessage | undefined>;
  /** Subscribes extra listeners (messaging) to a new socket; returns their removal. */
  attach?: (sock: WASocket) => () => void;
  /**
   * Called by Baileys for each decrypted message before its delivery receipt (the hook of
   * scripts/patch-baileys.mjs): the receipt waits for it, and a throw makes it a NACK.
   */
  onMessageDecrypted?: (sock: WASocket, msg: WAMessage, type: 'notify' | 'append') => Promise<void>;
}

/** Baileys' socket config with the hook the postinstall patch adds. */
type PatchedSocketConfig = UserFacingSocketConfig & { onMessageDecrypted?: (msg: WAMessage, type: 'notify' | 'append') => Promise<void> };

interface Live {
  sock: WASocket;
  detach: () => void;
  intentional: boolean;
  open: boolean;
  /** The server sent this socket its pair-device round (a QR came): a pairing code may be asked. */
  registering: boolean;
}

/** A pairing code on offer on one socket; it dies with that socket or at `timer`. */
interface CodeOffer {
  live: Live;
  timer: NodeJS.Timeout;
}

/** Restarts required (515) in a row without an open before they back off like any other close. */
const MAX_IMMEDIATE_RESTARTS = 3;

/**
 * Runs exactly one Baileys socket at a time for this host: the old socket's listeners are removed
 * and the socket ended before a new one is created, and every timer that could create one is
 * cancelled on shutdown. Close codes are judged by the pure reconnect policy.
 */
export class Connection {
  private live: Live | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private immediateRestarts = 0;
  /** 500 closes since the last open. */
  private badSessions = 0;
  private qrShown = 0;
  private stopping = false;
  private socketsCreated = 0;
  private offer: CodeOffer | undefined;
  /** Code requests waiting for a socket in its pair-device round. */
  private readonly registeringWaiters = new Set<() => void>();

  constructor(private readonly options: ConnectionOptions) {}

  /** The open socket, if any (for sending). */
  get socket(): WASocket | undefined {
    return this.live?.open ? this.live.sock : undefined;
  }

  get isOpen(): boolean {
    return this.live?.open === true;
  }

  /** Sockets created over the host's life (tests and metrics). */
  get created(): number {
    return this.socketsCreated;
  }

  start(status: 'connecting' | 'recovering'): void {
    this.options.events.status(status);
    this.create();
  }

  /** Ends the socket without logout and cancels reconnects. Idempotent. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.cancelTimer();
    for (const waiter of [...this.registeringWaiters]) waiter();
    await this.endLive();
  }

  /**
   * Tells WhatsApp to forget this device when a socket is open (returns true), then ends it.
   * Without an open socket there is nobody to tell; the caller still deletes the auth.
   */
  async logout(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    this.cancelTimer();
    const live = this.live;
    let told = false;
    if (live?.open) {
      live.intentional = true;
      try {
        await withDeadline(live.sock.logout(), timeoutMs, () => new Error(`timed out after ${timeoutMs} ms`));
        told = true;
      } catch (err) {
        this.options.logger.warn({ err }, 'logout request to WhatsApp failed');
      }
    }
    await this.endLive();
    return told;
  }

  /**
   * Pairing by phone-number code (issue 19 §1): Baileys `requestPairingCode` on the socket in its
   * pair-device round, waiting up to `waitMs` for one. A code counts as one of the QR_MAX_ATTEMPTS
   * and lives as long as a first QR does; then it is dropped with its socket and a fresh
   * registration begins (status back to `qr_required`). QR rotations of a socket with a code on
   * offer are neither shown nor counted: the user chose the code.
   */
  async requestPairingCode(phone: string, waitMs: number): Promise<PairingCodeOffer> {
    const { auth, qrMaxAttempts, qrTimeoutMs, events, logger } = this.options;
    if (auth.paired) throw new WorkerError('ALREADY_LINKED', 'the session is already linked to a phone');
    const live = await this.registeringSocket(waitMs);
    if (this.qrShown >= qrMaxAttempts) {
      throw new WorkerError('PAIRING_ATTEMPTS_EXHAUSTED', `${this.qrShown} of QR_MAX_ATTEMPTS=${qrMaxAttempts} QR codes and pairing codes were already shown`);
    }
    this.qrShown++;
    const pairingCode = await live.sock.requestPairingCode(phone);
    if (this.live !== live) throw new WorkerError('PAIRING_INTERRUPTED', 'the connection to WhatsApp closed while the code was asked; ask again');
    const lifetimeMs = qrTimeoutMs ?? 60_000;
    this.clearOffer();
    this.offer = { live, timer: setTimeout(() => void this.expireOffer(live), lifetimeMs) };
    logger.info({ attempt: this.qrShown, lifetimeMs }, 'pairing code on offer');
    events.status('pairing_code_required');
    return { pairingCode, phoneNumber: phone, expiresAt: new Date(Date.now() + lifetimeMs).toISOString() };
  }

  private registeringSocket(waitMs: number): Promise<Live> {
    const ready = (): Live | undefined => (this.live?.registering && !this.stopping ? this.live : undefined);
    const now = ready();
    if (now) return Promise.resolve(now);
    if (this.stopping) return Promise.reject(new WorkerError('STOPPING', 'the session host is stopping'));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const live = ready();
        if (!live && !this.stopping) return;
        clearTimeout(timer);
        this.registeringWaiters.delete(check);
        if (live) resolve(live);
        else reject(new WorkerError('STOPPING', 'the session host is stopping'));
      };
      const timer = setTimeout(() => {
        this.registeringWaiters.delete(check);
        reject(new WorkerError('PAIRING_NOT_READY', `WhatsApp did not offer a pairing round within ${waitMs} ms; ask again`));
      }, waitMs);
      this.registeringWaiters.add(check);
    });
  }

  /** The code's time is up: it must not link any more, so its socket goes and a fresh registration begins. */
  private async expireOffer(live: Live): Promise<void> {
    if (this.offer?.live !== live || this.live !== live) return;
    this.offer = undefined;
    this.options.logger.info('pairing code expired; starting a fresh registration');
    await this.endLive();
    if (this.stopping || this.live) return;
    this.options.events.status('connecting');
    this.create();
  }

  private clearOffer(): void {
    if (this.offer) clearTimeout(this.offer.timer);
    this.offer = undefined;
  }

  private create(): void {
    if (this.stopping) return;
    if (this.live) throw new Error('BUG: a socket is still live; end it before creating another');
    const { auth, baileysLogger, waWebsocketUrl, keepAliveIntervalMs, connectTimeoutMs, qrTimeoutMs, onMessageDecrypted } = this.options;
    // A code asked on an earlier socket that never linked left `me` set: this socket must register.
    if (auth.dropUnfinishedPairingCode()) this.options.logger.info('an unfinished pairing code was dropped; registering afresh');
    let created: WASocket | undefined;
    const config: PatchedSocketConfig = {
      auth: auth.state,
      logger: baileysLogger,
      ...(waWebsocketUrl ? { waWebSocketUrl: waWebsocketUrl } : {}),
      // `agent`: the WebSocket's tunnel; `fetchAgent`: media uploads (Baileys' node:https upload).
      // Baileys types them as https.Agent; agent-base agents serve both http(s) and ws(s).
      ...(this.options.proxy ? { agent: this.options.proxy.socket as HttpsAgent, fetchAgent: this.options.proxy.media as HttpsAgent } : {}),
      ...(keepAliveIntervalMs ? { keepAliveIntervalMs } : {}),
      ...(connectTimeoutMs ? { connectTimeoutMs } : {}),
      ...(qrTimeoutMs ? { qrTimeout: qrTimeoutMs } : {}),
      printQRInTerminal: false,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      // No chat-history sync (RECENT, FULL, ON_DEMAND, status): with RECENT on, Baileys buffers
      // every event for up to 20 s after a login that has no sync data yet (the first after
      // pairing, and every one until that window once completed) while WhatsApp already has its
      // receipts — a kill -9 inside that window lost the messages held for the device (found by
      // the chaos run). The small syncs that carry contacts, push names and LID mappings
      // (INITIAL_BOOTSTRAP, PUSH_NAME, NON_BLOCKING_DATA) stay on: Baileys needs those mappings.
      shouldSyncHistoryMessage: (msg) => METADATA_SYNCS.has(msg.syncType ?? -1),
      generateHighQualityLinkPreview: false,
      // Privacy settings, blocklist and AB props are not needed to send and receive.
      fireInitQueries: false,
      ...(this.options.getMessage ? { getMessage: this.options.getMessage } : {}),
      // Messages arrive only after a login, long after `created` is set.
      ...(onMessageDecrypted ? { onMessageDecrypted: (msg: WAMessage, type: 'notify' | 'append') => onMessageDecrypted(created!, msg, type) } : {}),
    };
    const sock = makeWASocket(config);
    created = sock;
    this.socketsCreated++;
    const live: Live = { sock, detach: () => undefined, intentional: false, open: false, registering: false };
    const onCreds = (update: Parameters<AuthStore['saveCreds']>[0]) => {
      auth.saveCreds(update).catch((err: unknown) => this.options.logger.error({ err }, 'could not save creds'));
    };
    const onUpdate = (update: Partial<ConnectionState>) => this.onUpdate(live, update);
    sock.ev.on('creds.update', onCreds);
    sock.ev.on('connection.update', onUpdate);
    const detachExtra = this.options.attach?.(sock) ?? (() => undefined);
    live.detach = () => {
      sock.ev.off('creds.update', onCreds);
      sock.ev.off('connection.update', onUpdate);
      detachExtra();
    };
    this.live = live;
  }

  private onUpdate(live: Live, update: Partial<ConnectionState>): void {
    if (this.live !== live) return; // a late event of a socket we already let go
    const { events, qrMaxAttempts, auth } = this.options;
    if (update.qr) {
      live.registering = true;
      for (const waiter of [...this.registeringWaiters]) waiter();
      if (this.offer?.live === live) return; // a code is on offer: this rotation is not shown
      this.qrShown++;
      if (this.qrShown > qrMaxAttempts) {
        void this.finish('failed', { reason: 'qr_timeout' });
        return;
      }
      events.status('qr_required');
      events.qr(update.qr, this.qrShown);
    }
    if (update.connection === 'open') {
      this.clearOffer();
      live.open = true;
      this.attempts = 0;
      this.immediateRestarts = 0;
      this.badSessions = 0;
      this.qrShown = 0;
      events.open();
    }
    if (update.connection === 'close') {
      const error = update.lastDisconnect?.error;
      const code = closeCodeOf(error);
      if (this.offer?.live === live) this.clearOffer();
      live.detach();
      this.live = undefined;
      const proxyFailure = this.options.proxy ? proxyReasonOf(error) : undefined;
      this.badSessions = nextBadSessions(this.badSessions, code, proxyFailure);
      const badSessionMax = this.options.badSessionMaxAttempts ?? DEFAULT_BAD_SESSION_MAX;
      const untrustedServer = isUntrustedServerError(error);
      const action = decideOnClose({ code, intentional: live.intentional || this.stopping, untrustedServer, proxyFailure, paired: auth.paired, qrShown: this.qrShown, qrMax: qrMaxAttempts, badSessions: this.badSessions, badSessionMax });
      if (untrustedServer && action.kind === 'failed') {
        this.options.logger.error(
          { reason: 'untrusted_server', problem: (error as { problem?: string }).problem ?? (error as Error).message },
          'WhatsApp server failed certificate verification: refusing to talk to it; session failed (untrusted_server), auth untouched',
        );
      }
      this.options.logger.info({ code, action: action.kind, ...(proxyFailure ? { reason: proxyFailure } : {}), message: (error as Error | undefined)?.message }, 'socket closed');
      const closeCode = code ?? 0;
      switch (action.kind) {
        case 'none':
          return;
        case 'restart-now':
          if (++this.immediateRestarts <= MAX_IMMEDIATE_RESTARTS) {
            events.status('connecting', { closeCode });
            this.create();
            return;
          }
          return this.scheduleReconnect(closeCode);
        case 'reconnect':
          return this.scheduleReconnect(closeCode, action.reason);
        case 'logged-out':
          return events.terminal('logged-out', { reason: 'logged_out', closeCode });
        case 'replaced':
          return events.terminal('replaced', { reason: 'replaced', closeCode });
        case 'failed':
          return events.terminal('failed', { reason: action.reason, closeCode });
      }
    }
  }

  private scheduleReconnect(closeCode: number, reason?: FailureReason): void {
    if (this.stopping) return;
    this.attempts++;
    const delayMs = reconnectDelay(this.attempts);
    this.options.events.status('reconnecting', { closeCode, ...(reason ? { reason } : {}) });
    this.options.events.reconnect({ closeCode, attempt: this.attempts, delayMs });
    this.cancelTimer();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.create();
    }, delayMs);
  }

  /**
   * Ends `sock` as a lost connection (428) if it is still the live one: the reconnect policy makes
   * a new socket, and WhatsApp delivers again at that login what it still holds for the device.
   */
  drop(sock: WASocket, why: string): void {
    if (this.stopping || this.live?.sock !== sock) return;
    const error = Object.assign(new Error(why), { output: { statusCode: DisconnectReason.connectionClosed } });
    void sock.end(error).catch(() => undefined);
  }

  /** QR cap reached (or another host-side verdict): end the socket, then report. */
  private async finish(kind: TerminalKind, info: { reason?: FailureReason; closeCode?: number }): Promise<void> {
    this.stopping = true;
    this.cancelTimer();
    await this.endLive();
    this.options.events.terminal(kind, info);
  }

  private async endLive(): Promise<void> {
    const live = this.live;
    if (!live) return;
    if (this.offer?.live === live) this.clearOffer();
    this.live = undefined;
    live.intentional = true;
    live.detach();
    try {
      // `end(undefined)` closes the websocket; it is not a logout.
      await live.sock.end(undefined);
    } catch (err) {
      this.options.logger.debug({ err }, 'error while ending socket');
    }
  }

  private cancelTimer(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }
}
