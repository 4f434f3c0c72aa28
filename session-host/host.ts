import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { WorkerError, errorCode, errorMessage } from '../src/errors.js';
import { withDeadline } from '../src/deadline.js';
import { EXIT } from '../src/exit-codes.js';
import type { HostInit, IpcError, OutgoingMessage, PingStats, RequestMessage, StatusMessage } from '../src/ipc/protocol.js';
import { DEFAULT_HOST_MEDIA } from '../src/media/defaults.js';
import type { FetchedMedia } from '../src/media/fetch-media.js';
import type { Logger } from '../src/logger.js';
import type { FailureReason, SessionStatus } from '../src/status.js';
import { phoneFromJid } from './auth/files.js';
import { bootCost, markBoot, readyTiming } from './boot-cost.js';
import { codeCacheReport, produceCodeCache } from './code-cache/hook.js';
import type { TerminalKind } from './connection.js';
import type { IpcChannel } from './ipc-channel.js';
import { classifyBootFailure } from './boot-failure.js';
import { SessionLock } from './lock.js';
import { actOnSocket, OwnMessageIds } from './chat-actions.js';
import { assertOnWhatsApp, checkContact, ContactCache, DEFAULT_CONTACT_CACHE_TTL_MS } from './contact-check.js';
import { toJid } from './message-map.js';
import { PAIRING_PHONE_RULE, pairingPhoneDigits } from '../src/phone-number.js';
import { clearLogoutPending, isLogoutPending } from '../src/pending-logout.js';
import { buildRuntime, type Runtime } from './runtime.js';

const DEFAULT_STOP_TIMEOUT_MS = 8_000;
/** Orphan guard: with the supervisor gone nobody waits, but a flush is still worth a moment. */
const ORPHAN_FLUSH_DEADLINE_MS = 3_000;
/** How long `sock.logout()` may take once a socket is open. */
const LOGOUT_REQUEST_TIMEOUT_MS = 5_000;
/** LOGOUT_TIMEOUT_MS default: how long a logout waits for an open socket before it stays pending. */
const DEFAULT_LOGOUT_TIMEOUT_MS = 30_000;
/** A chat action (typing, read, reaction, edit, revoke, star) answers within this or fails. */
const ACT_TIMEOUT_MS = 25_000;

/**
 * One session's life inside its child process: lock → restore → `ready` → socket, then requests
 * until one of the endings (stop, logout, terminal close, orphan). Every ending goes through
 * `end()`, which runs once: late callers get the same promise.
 */
export class SessionHost {
  private lock: SessionLock | undefined;
  private running: Runtime | undefined;
  private ending: Promise<never> | undefined;
  private phoneNumber: string | undefined;
  /** The boot cost is logged once, for the first connection of this process. */
  private bootLogged = false;
  /** Messages this host sent: a reaction or star on one of them names it `fromMe`. */
  private readonly ownIds = new OwnMessageIds();
  /** A logout is asked (IPC, `logoutOnly`, or a pending marker): done as soon as a socket is open. */
  private logoutWanted = false;
  private logoutTimer: NodeJS.Timeout | undefined;
  /** Number checks of this session (issue 19 §3), shared by `check-contact` and the check before a send. */
  private readonly contacts: ContactCache;
  /**
   * Event-loop load between two pings, from libuv's own idle-time counter: no timer. A sampling
   * timer (monitorEventLoopDelay) woke every idle host 4 times a second, half of its idle CPU
   * (issue 15); a loop blocked for long is the watchdog's business (an unanswered ping).
   */
  private eluAtLastPing: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(
    private readonly init: HostInit,
    private readonly channel: IpcChannel,
    private readonly logger: Logger,
    private readonly baileysLogger: Logger,
    private readonly exit: (code: number) => never,
  ) {
    this.contacts = new ContactCache(init.contactCacheTtlMs ?? DEFAULT_CONTACT_CACHE_TTL_MS);
  }

  async start(): Promise<void> {
    const { init, channel, logger } = this;
    this.status('starting');
    try {
      this.lock = SessionLock.acquire(init.dataDir, init.sessionId);
      // Also on a crash path (`process.exit(1)`): a lock we can remove ourselves should not wait for stale detection.
      process.once('exit', () => this.lock?.release());
    } catch (err) {
      const failure = classifyBootFailure(errorCode(err));
      return this.failInit(err, failure.reason, failure.exitCode);
    }
    // Read under the lock: a logout WhatsApp was not told about runs first (issue 13 §7).
    if (init.logoutOnly) this.wantLogout();
    else if (isLogoutPending(init.dataDir, init.sessionId)) this.logoutWanted = true;
    let running: Runtime;
    try {
      running = await buildRuntime(init, channel, logger, this.baileysLogger, {
        status: (status, extra) => this.status(status, extra),
        qr: (qr, attempt) => channel.send({ type: 'qr', qr, attempt, expiresAt: new Date(Date.now() + qrLifetime(init.qrTimeoutMs, attempt)).toISOString() }),
        open: () => this.onOpen(),
        reconnect: (info) => channel.send({ type: 'reconnect', ...info }),
        terminal: (kind, info) => void this.onTerminal(kind, info), // an ending: see end()
      });
    } catch (err) {
      const failure = classifyBootFailure(errorCode(err));
      return this.failInit(err, failure.reason, failure.exitCode);
    }
    this.phoneNumber = phoneFromJid(running.auth.creds.me?.id);
    const { restoredFrom } = running.restored;
    if (this.ending) return; // stop arrived while restoring
    this.running = running;
    markBoot('ready');
    channel.send({ type: 'ready', pid: process.pid, generation: running.auth.ledger.current, restoredFrom, ...readyTiming() });
    logger.info({ restoredFrom, generation: running.auth.ledger.current, logoutWanted: this.logoutWanted }, 'session host ready');
    // Nothing paired means nothing to tell WhatsApp: the logout is only the deletion.
    if (this.logoutWanted && !running.auth.paired) return void this.logoutNow(); // an ending: see end()
    running.connection.start(running.auth.paired ? 'recovering' : 'connecting');
    void this.reportUnfinishedSends(running); // beside the connect; logs its own failure, never rejects
  }

  handle(request: RequestMessage): void {
    switch (request.type) {
      case 'ping':
        return this.channel.respond<'ping'>(request.id, this.pingStats());
      case 'stop':
        void this.stop(request.id); // an ending: see end()
        return;
      case 'logout':
        this.channel.respond<'logout'>(request.id, { accepted: true, deadlineMs: this.logoutTimeoutMs + this.logoutEndMs });
        this.wantLogout();
        return;
      case 'send': {
        if (this.ending) return this.channel.fail(request.id, { code: 'STOPPING', message: 'the session host is stopping' });
        const outgoing = this.running?.outgoing;
        if (!outgoing) return this.channel.fail(request.id, { code: 'NOT_CONNECTED', message: 'the session is not connected to WhatsApp' });
        assertOnWhatsApp(this.running?.connection.socket as never, this.contacts, request.to, this.logger)
          .then(() => outgoing.send(request.to, request.message, request.messageId, (message) => this.withMedia(message)))
          .then(
            (result) => {
              this.ownIds.add(result.messageId);
              this.channel.respond<'send'>(request.id, result);
            },
            (err: unknown) => this.channel.fail(request.id, toIpcError(err)),
          );
        return;
      }
      case 'act': {
        if (this.ending) return this.channel.fail(request.id, { code: 'STOPPING', message: 'the session host is stopping' });
        Promise.resolve()
          .then(() => actOnSocket(this.running?.connection.socket as never, toJid(request.to), request.act, this.ownIds.has, ACT_TIMEOUT_MS))
          .then(
            (result) => {
              if (result.messageId) this.ownIds.add(result.messageId);
              this.channel.respond<'act'>(request.id, result);
            },
            (err: unknown) => this.channel.fail(request.id, toIpcError(err)),
          );
        return;
      }
      case 'pairing-code': {
        const connection = this.ending ? undefined : this.running?.connection;
        if (!connection || !pairingPhoneDigits(request.phone)) return this.channel.fail(request.id, { code: connection ? 'INVALID_PHONE_NUMBER' : 'PAIRING_NOT_READY', message: connection ? PAIRING_PHONE_RULE : 'the session host is starting or stopping' });
        connection.requestPairingCode(request.phone, request.waitMs).then((offer) => this.channel.respond<'pairing-code'>(request.id, offer), (err: unknown) => this.channel.fail(request.id, toIpcError(err)));
        return;
      }
      case 'check-contact': {
        if (this.ending) return this.channel.fail(request.id, { code: 'STOPPING', message: 'the session host is stopping' });
        checkContact(this.running?.connection.socket as never, this.contacts, request.phone).then(
          (result) => this.channel.respond<'check-contact'>(request.id, result),
          (err: unknown) => this.channel.fail(request.id, toIpcError(err)),
        );
        return;
      }
    }
  }

  /** A medium's bytes, fetched by the host itself (lazily loaded: text-only hosts never load it). */
  private async withMedia(message: OutgoingMessage): Promise<FetchedMedia | undefined> {
    if (message.type !== 'image' && message.type !== 'video' && message.type !== 'audio' && message.type !== 'document') return undefined;
    if (!this.running?.connection.socket) throw new WorkerError('NOT_CONNECTED', 'the session is not connected to WhatsApp');
    const { fetchOutgoingMedia } = await import('./media/outgoing.js');
    return fetchOutgoingMedia(message, this.init.media ?? DEFAULT_HOST_MEDIA);
  }

  /** Sends a previous incarnation left unconfirmed never went out: their status becomes `failed`. */
  private async reportUnfinishedSends(running: Runtime): Promise<void> {
    try {
      for (const { messageId, jid } of await running.sent.failUnfinished()) {
        this.logger.warn({ messageId }, 'a send interrupted by the previous host is reported failed');
        this.channel.send({ type: 'receipt', messageId, remoteJid: jid, status: 'failed', at: new Date().toISOString() });
      }
    } catch (err) {
      this.logger.error({ code: errorCode(err), err: errorMessage(err) }, 'could not settle unfinished sends');
    }
  }

  /** IPC `stop`, SIGTERM, SIGINT: flush, close without logout, exit 0. */
  stop(requestId?: number): Promise<never> {
    return this.end(async () => {
      const generation = await this.closeAndFlush((this.init.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) - 1_000);
      this.status('disconnected');
      if (requestId !== undefined) this.channel.respond<'stop'>(requestId, { generation });
      return EXIT.STOPPED;
    }, this.init.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, EXIT.STOPPED);
  }

  /** The IPC channel is gone (supervisor killed): best-effort flush, then leave. */
  orphaned(): Promise<never> {
    return this.end(async () => {
      await this.closeAndFlush(ORPHAN_FLUSH_DEADLINE_MS - 500);
      return EXIT.ORPHANED;
    }, ORPHAN_FLUSH_DEADLINE_MS, EXIT.ORPHANED);
  }

  private get logoutTimeoutMs(): number {
    return this.init.logoutTimeoutMs ?? DEFAULT_LOGOUT_TIMEOUT_MS;
  }

  /** Budget of the logout ending itself: tell WhatsApp, then delete locally and remotely. */
  private get logoutEndMs(): number {
    return LOGOUT_REQUEST_TIMEOUT_MS + 2 * this.init.storageTimeoutMs + 2_000;
  }

  /**
   * A logout is asked: do it as soon as a socket is open (now, if one is), or leave it pending
   * after LOGOUT_TIMEOUT_MS. Before `ready` (still restoring) `start()` picks it up.
   */
  private wantLogout(): void {
    if (this.ending) return;
    this.logoutWanted = true;
    this.logoutTimer ??= setTimeout(() => void this.leaveLogoutPending(), this.logoutTimeoutMs); // endings: see end()
    const running = this.running;
    if (!running) return;
    if (!running.auth.paired || running.connection.isOpen) void this.logoutNow(); // an ending: see end()
  }

  /**
   * Tells WhatsApp, then deletes the auth under the session lock with no upload in flight or to
   * come, so nothing can publish it again. Told or unpaired → `logged_out` (10); WhatsApp did not
   * take the logout → pending (17), auth kept. The marker goes only once the remote delete worked.
   */
  private logoutNow(): Promise<never> {
    return this.end(async () => {
      if (this.logoutTimer) clearTimeout(this.logoutTimer);
      const running = this.running;
      if (!running) return EXIT.LOGOUT_PENDING;
      running.uploader.close();
      await running.uploader.settled();
      const told = running.auth.paired ? await running.connection.logout(LOGOUT_REQUEST_TIMEOUT_MS) : true;
      if (!told) {
        await running.connection.shutdown();
        this.status('disconnected', { reason: 'logout_pending' });
        return EXIT.LOGOUT_PENDING;
      }
      await this.deleteAuth(running);
      this.status('logged_out', { reason: 'logged_out' });
      return EXIT.LOGGED_OUT;
    }, this.logoutEndMs, EXIT.LOGOUT_PENDING);
  }

  /** WhatsApp did not open a socket in time: close (no logout, auth kept); the marker stays. */
  private leaveLogoutPending(): Promise<never> {
    return this.end(async () => {
      await this.running?.connection.shutdown();
      this.logger.warn({ timeoutMs: this.logoutTimeoutMs }, 'could not reach WhatsApp to log out; the logout stays pending until the next start');
      this.status('disconnected', { reason: 'logout_pending' });
      return EXIT.LOGOUT_PENDING;
    }, 5_000, EXIT.LOGOUT_PENDING);
  }

  private onOpen(): void {
    const running = this.running;
    if (!running) return;
    this.phoneNumber = phoneFromJid(running.auth.creds.me?.id) ?? this.phoneNumber;
    // A logout waiting for this socket goes first: the session never reports `connected`.
    if (this.logoutWanted) return void this.logoutNow(); // an ending: see end()
    this.status('connected');
    const first = !this.bootLogged;
    this.bootLogged = true;
    if (first) markBoot('connected');
    running.uploader.upload('connected').then(
      () => {
        if (!first) return;
        markBoot('uploaded');
        // What this process really runs (its title hides argv from /proc/<pid>/cmdline).
        this.logger.info({ bootCost: bootCost(), node: process.version, entry: process.argv[1], execArgv: process.execArgv, ...codeCacheReport() }, 'session host boot cost');
        produceCodeCache(this.logger);
      },
      () => undefined,
    );
  }

  private onTerminal(kind: TerminalKind, info: { reason?: FailureReason; closeCode?: number }): Promise<never> {
    const running = this.running;
    const extra = { ...(info.reason ? { reason: info.reason } : {}), ...(info.closeCode ? { closeCode: info.closeCode } : {}) };
    return this.end(async () => {
      running?.uploader.close();
      if (kind === 'logged-out') {
        // WhatsApp revoked the device: this pairing's auth can never log in again (design.md §6) —
        // but another pairing (a re-pair on another worker) may be published: only ours goes.
        if (running) await this.deleteAuth(running, 'own-lineage');
        this.status('logged_out', extra);
        return EXIT.LOGGED_OUT;
      }
      await running?.auth.idle();
      if (kind === 'replaced') {
        this.status('replaced', extra);
        return EXIT.REPLACED;
      }
      this.status('failed', extra);
      return EXIT.FAILED;
    }, 2 * this.init.storageTimeoutMs + 2_000, kind === 'logged-out' ? EXIT.LOGGED_OUT : kind === 'replaced' ? EXIT.REPLACED : EXIT.FAILED);
  }

  /** Closes the socket first (no more changes), then publishes what is unsaved; never longer than `budgetMs`. */
  private async closeAndFlush(budgetMs: number): Promise<number> {
    const running = this.running;
    if (!running) return 0;
    await running.connection.shutdown();
    // Messages still waiting for their media are reported (with or without it) before we go.
    await withDeadline(running.incoming.idle(), 2_000, gaveUp).catch(() => undefined);
    try {
      const published = await withDeadline(running.uploader.flush('stop'), Math.max(500, budgetMs), gaveUp);
      return published ?? running.auth.ledger.uploaded;
    } catch (err) {
      this.logger.error({ code: errorCode(err), err: errorMessage(err) }, 'final snapshot upload failed; the local folder keeps the state');
      return running.auth.ledger.uploaded;
    }
  }

  /**
   * Deletes the auth locally and remotely. Runs under the session lock, after the uploader is
   * closed and settled, so no upload of this host (or of any other: the lock) can land after it.
   * A failed remote delete keeps the pending-logout marker: the next start restores what is left,
   * gets 401 from WhatsApp and deletes again.
   */
  private async deleteAuth(running: Runtime, scope: 'all' | 'own-lineage' = 'all'): Promise<void> {
    const lineage = running.auth.lineage;
    running.uploader.close();
    await running.uploader.settled();
    running.auth.close();
    await running.auth.idle();
    await running.folder.wipe();
    await running.sent.remove().catch((err: unknown) => this.logger.error({ code: errorCode(err), err: errorMessage(err) }, 'could not delete the sent-message store'));
    try {
      if (scope === 'all' || lineage === null) await running.store.deleteSession(this.init.sessionId);
      else await running.store.deleteLineage(this.init.sessionId, lineage);
      clearLogoutPending(this.init.dataDir, this.init.sessionId);
    } catch (err) {
      this.logger.error({ code: errorCode(err), err: errorMessage(err) }, 'could not delete the remote auth snapshots; the logout stays pending');
    }
  }

  /** Runs one ending exactly once with a hard deadline and its own exit code. It never rejects (errors are logged here) and never resolves (it exits): callers fire and forget it. */
  private end(work: () => Promise<number>, deadlineMs: number, deadlineCode: number): Promise<never> {
    if (this.ending) return this.ending;
    const hard = setTimeout(() => {
      this.logger.error({ deadlineMs }, 'ending took too long; exiting anyway');
      this.lock?.release();
      this.exit(deadlineCode);
    }, deadlineMs);
    this.ending = (async () => {
      let code: number;
      try {
        code = await work();
      } catch (err) {
        this.logger.error({ err }, 'error while ending the session host');
        code = deadlineCode;
      }
      clearTimeout(hard);
      this.lock?.release();
      await withDeadline(this.channel.drained(), 500, gaveUp).catch(() => undefined);
      return this.exit(code);
    })();
    return this.ending;
  }

  private failInit(err: unknown, reason: FailureReason, exitCode: number): Promise<never> {
    this.logger.error({ code: errorCode(err), err: errorMessage(err), reason }, 'session host could not start');
    this.channel.send({ type: 'init-failed', error: toIpcError(err), reason });
    return this.end(async () => exitCode, 2_000, exitCode);
  }

  private status(status: SessionStatus, extra: { reason?: FailureReason; closeCode?: number } = {}): void {
    const message: StatusMessage = { type: 'status', status, at: new Date().toISOString() };
    if (extra.reason) message.reason = extra.reason;
    if (extra.closeCode) message.closeCode = extra.closeCode;
    if (this.phoneNumber) message.phoneNumber = this.phoneNumber;
    this.channel.send(message);
  }

  private pingStats(): PingStats {
    const now = performance.eventLoopUtilization();
    const since = performance.eventLoopUtilization(now, this.eluAtLastPing);
    this.eluAtLastPing = now;
    return { uptimeMs: Math.round(process.uptime() * 1000), rssBytes: process.memoryUsage.rss(), eventLoopUtilization: Math.round(since.utilization * 1000) / 1000 };
  }
}

/** Baileys shows the first QR of a socket for 60 s and the next ones for 20 s unless told otherwise. */
function qrLifetime(qrTimeoutMs: number | undefined, attempt: number): number {
  return qrTimeoutMs ?? (attempt === 1 ? 60_000 : 20_000);
}

const gaveUp = () => new WorkerError('TIMEOUT', 'gave up waiting');

function toIpcError(err: unknown): IpcError {
  if (err instanceof WorkerError) return { code: err.code, message: err.message };
  return { code: errorCode(err), message: errorMessage(err) };
}
