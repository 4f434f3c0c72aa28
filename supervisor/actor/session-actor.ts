import { WorkerError } from '../../src/errors.js';
import type { ActionResult, ChatAction, ContactCheck, MessageInMessage, OutgoingMessage, PairingCodeOffer, SendResult } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import type { SessionSpec, SessionView } from '../../src/session-view.js';
import { ENDED_STATUSES, type FailureReason, type SessionStatus } from '../../src/status.js';
import { HostHandle, type HostEvent, type HostExit } from '../host/host-handle.js';
import { recordHostEvent } from '../metrics/host-events.js';
import type { RestartReason } from '../metrics/labels.js';
import { accountRestart } from '../metrics/restart-accounting.js';
import type { ActorDeps, ActorSnapshot } from './actor-deps.js';
import { hostWanted, initialState, transition, type ActorEvent, type ActorState, type DurableState, type Effect } from './transitions.js';
import { takeIncoming } from './incoming.js';
import { Waiters } from './waiters.js';

export type { ActorDeps, ActorSnapshot, HostSettings } from './actor-deps.js';

/**
 * One session's actor: owns the state of design.md §5 for that session and nothing else. It feeds
 * events into the pure `transition` and applies the effects (fork, stop, timers). Actors never
 * share mutable state; the registry talks to them through these methods and hears back through
 * `emit`.
 */
export class SessionActor {
  readonly sessionId: string;
  private state: ActorState;
  private handle: HostHandle | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Waiters<ActorSnapshot>(() => this.snapshot());
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private spec: SessionSpec;
  // Read-model fields the state machine does not need.
  private phoneNumber: string | null = null;
  private qr: { qr: string; expiresAt: string } | null = null;
  private pairing: PairingCodeOffer | null = null;
  private lastSeen: string | null = null;
  private connectedAt: string | null = null;
  private lastCloseCode: number | null = null;
  private nextRestartAt: string | null = null;
  private removed = false;
  // Why the next spawn is a restart (set across a backoff or an operator restart's stop).
  private pendingRestart: RestartReason | null = null;

  constructor(private readonly deps: ActorDeps) {
    this.sessionId = deps.spec.sessionId;
    this.spec = deps.spec;
    this.state = initialState(deps.durable, deps.logoutPending ?? false);
    this.log = deps.logger.child({ sessionId: this.sessionId });
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  // ------------------------------------------------------------------ commands

  start(isRecovery: boolean): void {
    this.dispatch({ type: 'start', isRecovery });
  }
  restart(): void {
    this.dispatch({ type: 'restart' });
  }
  disconnect(): void {
    this.dispatch({ type: 'disconnect' });
  }
  /** The supervisor stops: the host stops (flushed, no logout), the operator's intent stays. */
  shutdown(): void {
    this.dispatch({ type: 'disconnect', shutdown: true });
  }
  logout(): void {
    this.dispatch({ type: 'logout' });
  }
  remove(): void {
    this.dispatch({ type: 'remove' });
  }

  /** Merges a newer spec (owner, name); true when either changed (the registry file records them). */
  updateSpec(spec: SessionSpec): boolean {
    const before = this.spec;
    this.spec = { ...this.spec, ...spec };
    return this.spec.userId !== before.userId || this.spec.name !== before.name;
  }

  async send(to: string, message: OutgoingMessage, messageId?: string): Promise<SendResult> {
    try {
      const result = await this.sendNow(to, message, messageId);
      this.deps.metrics?.message('out', message.type, 'ok');
      return result;
    } catch (err) {
      this.deps.metrics?.message('out', message.type, 'failed');
      throw err;
    }
  }

  private async sendNow(to: string, message: OutgoingMessage, messageId: string | undefined): Promise<SendResult> {
    return this.connectedHandle().request('send', { to, message, ...(messageId === undefined ? {} : { messageId }) });
  }

  /** A chat action (typing, read, reaction, edit, revoke, star) through the connected host. */
  async act(to: string, act: ChatAction): Promise<ActionResult> {
    return this.connectedHandle().request('act', { to, act });
  }

  /** Is `phone` (digits) on WhatsApp: the host's `onWhatsApp`, through its per-session cache. */
  async checkContact(phone: string): Promise<ContactCheck> {
    return this.connectedHandle().request('check-contact', { phone });
  }

  /**
   * Link by phone-number code (issue 19 §1). A fresh session may still be booting: wait up to
   * `waitMs` for its host to show the pair-device round (`qr_required`), then ask it for a code.
   * A linked, restored or ended session is refused before any host is asked.
   */
  async requestPairingCode(phone: string, waitMs: number): Promise<PairingCodeOffer> {
    const refuse = (): WorkerError | undefined => {
      const { status, restored } = this.state;
      const details = { sessionId: this.sessionId, status };
      if (ENDED_STATUSES.has(status)) return new WorkerError('SESSION_ENDED', `session ${this.sessionId} is ${status}; restart it before linking`, { details });
      if (status === 'connected' || status === 'recovering' || status === 'reconnecting' || restored) {
        return new WorkerError('ALREADY_LINKED', `session ${this.sessionId} is already linked to a phone (${status})`, { details });
      }
      return undefined;
    };
    const linking = (s: SessionStatus): boolean => s === 'qr_required' || s === 'pairing_code_required';
    const early = refuse();
    if (early) throw early;
    if (!linking(this.state.status) || !this.handle?.isReady) {
      await this.until((s) => (linking(s.state.status) && this.handle?.isReady === true) || refuse() !== undefined, { timeoutMs: waitMs, what: `${this.sessionId} pair-device round` }).catch(() => {
        throw new WorkerError('PAIRING_NOT_READY', `session ${this.sessionId} did not reach a pairing round within ${waitMs} ms (status ${this.state.status}); ask again`, { details: { sessionId: this.sessionId, status: this.state.status } });
      });
      const late = refuse();
      if (late) throw late;
    }
    const handle = this.handle;
    if (!handle) throw new WorkerError('HOST_NOT_RUNNING', `session ${this.sessionId} has no running host`);
    const offer = await handle.request('pairing-code', { phone, waitMs }, waitMs + 15_000);
    this.pairing = offer;
    this.deps.emit({ kind: 'pairing-code', sessionId: this.sessionId, ...offer, at: new Date(this.now()).toISOString() });
    this.waiters.check();
    return offer;
  }

  private connectedHandle(): HostHandle {
    const handle = this.handle;
    if (!handle || !handle.isReady || this.state.status !== 'connected') {
      throw new WorkerError('SESSION_NOT_CONNECTED', `session ${this.sessionId} is ${this.state.status}, not connected`, { details: { sessionId: this.sessionId, status: this.state.status } });
    }
    this.lastSeen = new Date(this.now()).toISOString();
    return handle;
  }

  /** Stops for good and SIGKILLs the current host at once (second shutdown signal). */
  killHost(): void {
    this.dispatch({ type: 'disconnect', shutdown: true });
    void this.handle?.kill(); // never rejects; the exit comes back through the handle's onExit
  }

  // ------------------------------------------------------------------ reading

  get status(): SessionStatus {
    return this.state.status;
  }
  get pid(): number | null {
    return this.handle && !this.handle.exited ? (this.handle.pid ?? null) : null;
  }
  private get hostRunning(): boolean {
    return this.handle !== undefined && !this.handle.exited;
  }
  get isRemoved(): boolean {
    return this.removed;
  }
  /** No host runs and none is due (stopped, ended, quarantined or removed). */
  get idle(): boolean {
    return this.state.phase === 'none' && !this.hostRunning;
  }
  /** Hosts spawned so far: a recovery attempt judges only hosts from this one on. */
  get incarnation(): number {
    return this.state.incarnation;
  }
  /** What outlives this supervisor: the operator's intent and a sticky end (the registry persists it). */
  get durable(): DurableState {
    return this.state.durable;
  }
  /** A host runs or is due for a session the operator wants running (a changed proxy restarts it). */
  get hostWanted(): boolean {
    return hostWanted(this.state);
  }

  view(): SessionView {
    const s = this.state;
    return {
      sessionId: this.sessionId,
      userId: this.spec.userId ?? null,
      name: this.spec.name ?? null,
      status: s.status,
      reason: s.reason,
      phoneNumber: this.phoneNumber,
      pid: this.pid,
      restarts: s.restarts,
      isRecovered: s.spawnedForRecovery && s.restored,
      qr: s.status === 'qr_required' ? (this.qr?.qr ?? null) : null,
      qrExpiresAt: s.status === 'qr_required' ? (this.qr?.expiresAt ?? null) : null,
      pairingCode: s.status === 'pairing_code_required' ? (this.pairing?.pairingCode ?? null) : null,
      pairingCodeExpiresAt: s.status === 'pairing_code_required' ? (this.pairing?.expiresAt ?? null) : null,
      lastSeen: this.lastSeen,
      connectedAt: this.connectedAt,
      lastCloseCode: this.lastCloseCode,
      nextRestartAt: this.nextRestartAt,
      proxy: this.deps.proxy?.() ?? null,
    };
  }

  snapshot(): ActorSnapshot {
    return { state: this.state, view: this.view() };
  }

  /** Resolves once the predicate holds (checked after every change). */
  until(test: (s: ActorSnapshot) => boolean, options: { timeoutMs?: number; what?: string; signal?: AbortSignal } = {}): Promise<ActorSnapshot> {
    return this.waiters.until(test, options);
  }

  onStatus(status: SessionStatus | readonly SessionStatus[], timeoutMs?: number): Promise<ActorSnapshot> {
    const set = new Set(Array.isArray(status) ? status : [status]);
    return this.until((s) => set.has(s.state.status), { ...(timeoutMs === undefined ? {} : { timeoutMs }), what: `${this.sessionId} status ${[...set].join('|')}` });
  }

  /** Resolves when no host runs and none is scheduled (stopped, ended, quarantined or removed). */
  onIdle(timeoutMs?: number): Promise<ActorSnapshot> {
    return this.until(() => this.idle, { ...(timeoutMs === undefined ? {} : { timeoutMs }), what: `${this.sessionId} idle` });
  }

  // ------------------------------------------------------------------ machinery

  private dispatch(event: ActorEvent): void {
    const before = this.state;
    const { state, effects } = transition(before, event, this.deps.policy);
    this.state = state;
    if (state.durable !== before.durable) this.deps.onDurableChange?.(state.durable);
    if (this.deps.metrics) {
      const restart = accountRestart(event, effects, this.pendingRestart);
      this.pendingRestart = restart.pending;
      if (restart.restarted) this.deps.metrics.hostRestarted(restart.restarted);
    }
    if (state.status !== before.status || state.reason !== before.reason) this.onStatusChange(before.status, state);
    for (const effect of effects) this.apply(effect);
    this.waiters.check();
  }

  private apply(effect: Effect): void {
    switch (effect.type) {
      case 'spawn':
        return this.spawn(effect.incarnation, effect.isRecovery, effect.logoutOnly === true);
      case 'stop-host':
        void this.handle?.stop(); // never rejects; the exit comes back through the handle's onExit
        return;
      case 'logout-host':
        void this.handle?.logout(); // never rejects (a refused logout becomes a stop); the exit comes back through onExit
        return;
      case 'mark-logout':
        try {
          this.deps.markLogout?.(this.sessionId);
        } catch (err) {
          // The host is still told (IPC or a logout host); only a supervisor crash before it acts could lose it.
          this.log.error({ err }, 'could not write the pending-logout marker');
        }
        return;
      case 'schedule-restart':
        this.clearRestartTimer();
        this.log.info({ delayMs: effect.delayMs, restarts: this.state.restarts }, 'session host restart scheduled');
        this.nextRestartAt = new Date(this.now() + effect.delayMs).toISOString();
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          this.nextRestartAt = null;
          this.dispatch({ type: 'backoff-elapsed', incarnation: effect.incarnation });
        }, effect.delayMs);
        return;
      case 'cancel-restart':
        this.clearRestartTimer();
        return;
      case 'quarantined':
        this.log.error({ restartsInWindow: effect.restartsInWindow, periodMs: this.deps.policy.window.periodMs }, 'session host crash loop: quarantined as failed (crash_loop) until an operator restarts it');
        return;
      case 'removed':
        this.clearRestartTimer();
        this.removed = true;
        this.deps.onRemoved(this.sessionId);
        return;
    }
  }

  private spawn(incarnation: number, isRecovery: boolean, logoutOnly = false): void {
    let handle: HostHandle;
    const spare = this.deps.takeSpare?.();
    try {
      handle = HostHandle.start(
        {
          ...this.deps.host,
          sessionId: this.sessionId,
          logger: this.log,
          onEvent: (e) => (e.type === 'message-in' ? this.onMessageIn(e, handle) : this.onHostEvent(incarnation, e)),
          onExit: (x) => this.onHostExit(incarnation, x),
          onBackpressure: () => this.deps.metrics?.ipcBackpressure(),
        },
        this.deps.makeInit(this.sessionId, isRecovery, logoutOnly ? { logoutOnly } : undefined),
        spare,
      );
    } catch (err) {
      this.log.error({ err }, 'could not fork the session host');
      // Counts as a crash at boot: the restart policy (and its quarantine) applies.
      queueMicrotask(() => this.dispatch({ type: 'host-exit', incarnation, kind: 'crash', now: this.now(), jitter: this.random() }));
      return;
    }
    this.handle = handle;
    this.deps.metrics?.hostStarted(this.sessionId, spare === undefined ? 'fork' : 'spare');
    this.log.info({ hostPid: handle.pid, isRecovery, incarnation, logoutOnly, spare: spare !== undefined }, logoutOnly ? 'session host started to log out' : 'session host started');
  }

  private onHostEvent(incarnation: number, event: HostEvent): void {
    // Counted before the staleness check: a stale host's storage writes and boot still happened.
    if (this.deps.metrics) recordHostEvent(this.deps.metrics, event);
    if (incarnation !== this.state.incarnation) return;
    const at = new Date(this.now()).toISOString();
    switch (event.type) {
      case 'ready':
        this.log.info({ hostPid: event.pid, restoredFrom: event.restoredFrom, generation: event.generation, bootMs: event.bootMs, spare: event.spare === true }, 'session host ready');
        return this.dispatch({ type: 'host-ready', incarnation, now: this.now(), restoredFrom: event.restoredFrom });
      case 'init-failed':
        this.log.error({ reason: event.reason, error: event.error }, 'session host init failed');
        return this.dispatch({ type: 'host-init-failed', incarnation, reason: event.reason });
      case 'status':
        if (event.phoneNumber) this.phoneNumber = event.phoneNumber;
        if (event.closeCode) this.lastCloseCode = event.closeCode;
        this.lastSeen = at;
        return this.dispatch({ type: 'host-status', incarnation, status: event.status, reason: event.reason });
      case 'qr':
        this.qr = { qr: event.qr, expiresAt: event.expiresAt };
        this.deps.emit({ kind: 'qr', sessionId: this.sessionId, qr: event.qr, expiresAt: event.expiresAt, attempt: event.attempt, at });
        this.waiters.check();
        return;
      case 'receipt':
        this.lastSeen = at;
        this.deps.emit({ kind: 'receipt', sessionId: this.sessionId, messageId: event.messageId, remoteJid: event.remoteJid, status: event.status, at: event.at });
        return;
      case 'reconnect':
        this.lastCloseCode = event.closeCode;
        this.log.debug({ event }, 'session host event');
        return;
      default:
        // snapshot, storage-op: metrics material, logged at debug.
        this.log.debug({ event }, 'session host event');
        return;
    }
  }

  /** A host's incoming messages (incoming.ts): committed, acknowledged, then published once. */
  private onMessageIn(event: MessageInMessage, handle: HostHandle): void {
    if (this.deps.metrics) recordHostEvent(this.deps.metrics, event);
    const io = { admit: this.deps.admitIncoming, ack: (id: number, error?: { code: string; message: string }) => handle.ackDelivery(id, error), emit: this.deps.emit, log: this.log };
    if (takeIncoming(this.sessionId, event, io)) this.lastSeen = new Date(this.now()).toISOString();
  }

  private onHostExit(incarnation: number, exit: HostExit): void {
    if (this.handle && this.handle.pid === exit.pid) this.handle = undefined;
    this.deps.metrics?.hostExited(exit.kind);
    const level = exit.kind === 'stopped' ? 'info' : 'warn';
    this.log[level]({ hostPid: exit.pid, code: exit.code, signal: exit.signal, kind: exit.kind, killedFor: exit.killedFor, wasReady: exit.wasReady }, 'session host exited');
    this.dispatch({ type: 'host-exit', incarnation, kind: exit.kind, now: this.now(), killedFor: exit.killedFor, jitter: this.random() });
  }

  private onStatusChange(previous: SessionStatus, state: ActorState): void {
    const at = new Date(this.now()).toISOString();
    if (state.status === 'connected') this.connectedAt = at;
    if (state.status !== 'qr_required') this.qr = null;
    if (state.status !== 'pairing_code_required') this.pairing = null;
    const reason: FailureReason | undefined = state.reason ?? undefined;
    this.deps.emit({ kind: 'status', sessionId: this.sessionId, status: state.status, previous, ...(reason ? { reason } : {}), phoneNumber: this.phoneNumber, at });
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextRestartAt = null;
  }
}
