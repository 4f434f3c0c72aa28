import type { ChildProcess } from 'node:child_process';
import { WorkerError } from '../../src/errors.js';
import type { ActionResult, ChatAction, ContactCheck, IncomingMessage, OutgoingMessage, PairingCodeOffer, SendResult } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import { assertSessionId } from '../../src/session-id.js';
import type { SessionEvent, SessionSpec, SessionView } from '../../src/session-view.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';
import { SessionActor, type HostSettings } from '../actor/session-actor.js';
import type { Policy } from '../actor/transitions.js';
import type { HostInit } from '../../src/ipc/protocol.js';
import type { RegistryEntry, RegistryFile } from './registry-file.js';
import type { Metrics } from '../metrics/registry.js';
import type { SessionSettingsFile } from './session-settings.js';
import { effectiveProxy } from '../../src/proxy/proxy-url.js';

export interface RegistryDeps {
  maxSessions: number;
  policy: Policy;
  host: HostSettings;
  makeInit(sessionId: string, isRecovery: boolean, options?: { logoutOnly?: boolean }): HostInit;
  /** Records a logout request (the pending-logout marker) before any host is told. */
  markLogout?: (sessionId: string) => void;
  /** Whether a logout marker waits for the session (seeds new actors). */
  logoutPending?: (sessionId: string) => boolean;
  logger: Logger;
  /** Standalone mode: persist sessions in DATA_DIR/registry.json. */
  file?: RegistryFile | undefined;
  /** Handed to every actor (host lifecycle, IPC and send counters). */
  metrics?: Metrics | undefined;
  /** Per-session settings (issue 19 §2: proxies), both modes; absent = none can be set. */
  settings?: SessionSettingsFile | undefined;
  /** WA_PROXY_URL: the proxy of sessions without their own. */
  defaultProxy?: string | undefined;
  /** A pre-booted spare host for the next session start (HOST_SPARES), if one is left. */
  takeSpare?: (() => ChildProcess | undefined) | undefined;
}

export type SessionListener = (event: SessionEvent) => void;
/** Commits incoming messages; returns those not seen before; throws when they are not committed. */
export type IncomingGate = (sessionId: string, messages: readonly IncomingMessage[]) => IncomingMessage[];

/** Statuses a session keeps across a supervisor restart (recovery must not undo them). */
const STICKY: ReadonlySet<SessionStatus> = new Set(['logged_out', 'replaced']);

interface Record_ {
  actor: SessionActor;
  createdAt: string;
  desired: 'running' | 'stopped';
  ended: { status: SessionStatus; reason: FailureReason | null } | null;
}

/**
 * The supervisor's programmatic interface (what the HTTP API and the backend client call): one
 * actor per session, created, commanded and listed here. It never reaches into an actor's state;
 * actors report back through events, which the registry fans out to subscribers in order.
 */
export class SessionRegistry {
  private readonly records = new Map<string, Record_>();
  private readonly listeners = new Set<SessionListener>();
  private closing = false;
  private readonly log: Logger;
  private incomingGate: IncomingGate | undefined;

  constructor(private readonly deps: RegistryDeps) {
    this.log = deps.logger;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Loads the registry file (standalone) and creates an idle actor for each entry, so every known
   * session is listed before recovery starts. Returns the entries for the recovery runner.
   */
  async load(): Promise<RegistryEntry[]> {
    if (!this.deps.file) return [];
    const entries = await this.deps.file.load();
    for (const e of entries) {
      if (this.records.has(e.sessionId)) continue;
      this.records.set(e.sessionId, { actor: this.makeActor({ sessionId: e.sessionId, userId: e.userId, name: e.name }, e.ended), createdAt: e.createdAt, desired: e.desired, ended: e.ended });
    }
    return entries;
  }

  /** Creates (idempotent) and starts a session. An existing session is returned as it is. */
  create(spec: SessionSpec, options: { isRecovery?: boolean } = {}): SessionView {
    return this.ensure(spec, options).view();
  }

  /** Like `create`, returning the actor (recovery and the backend client wait on it). */
  ensure(spec: SessionSpec, options: { isRecovery?: boolean; start?: boolean } = {}): SessionActor {
    this.assertOpen();
    const sessionId = assertSessionId(spec.sessionId);
    const existing = this.records.get(sessionId);
    if (existing) {
      existing.actor.updateSpec(spec);
      const idle = existing.actor.internal.phase === 'none' && !existing.actor.hostRunning;
      if (options.start !== false && idle) {
        if (options.isRecovery) {
          // Recovery brings back what the operator wanted running, never a logged-out session.
          if (existing.desired === 'running' && existing.ended === null) existing.actor.start(true);
        } else {
          // An explicit create of an ended session means "run it again" (a quarantine still
          // needs an operator restart).
          existing.desired = 'running';
          existing.ended = null;
          existing.actor.start(false);
          this.persist();
        }
      }
      return existing.actor;
    }
    this.assertCapacity();
    const actor = this.makeActor(spec, null);
    this.records.set(sessionId, { actor, createdAt: new Date().toISOString(), desired: 'running', ended: null });
    if (options.start !== false) actor.start(options.isRecovery ?? false);
    this.persist();
    return actor;
  }

  /**
   * Creates (idempotent) a session with its own proxy, or `null` for the default (issue 19 §2).
   * A new session's setting is on disk before its first host starts; an existing session is
   * changed as by `setProxy`.
   */
  async createWithProxy(spec: SessionSpec, proxy: string | null): Promise<SessionView> {
    const sessionId = assertSessionId(spec.sessionId);
    if (this.records.has(sessionId)) {
      // Setting first: a running host restarts once on it, an ended one starts on it (not twice).
      await this.setProxy(sessionId, proxy);
      return this.ensure(spec).view();
    }
    this.assertOpen();
    this.assertCapacity();
    await this.settingsFile().setProxy(sessionId, proxy);
    try {
      return this.create(spec);
    } catch (err) {
      await this.settingsFile().forget(sessionId).catch((e: unknown) => this.log.warn({ err: e, sessionId }, 'could not drop the settings of a session that was not created'));
      throw err;
    }
  }

  /**
   * Sets (a normalised URL) or clears (null: WA_PROXY_URL, else direct) a session's own proxy,
   * saved before anything else changes. When that changes the proxy its host uses and a host runs
   * (or waits to), the host is restarted on the new route: auth is kept, so no QR.
   */
  async setProxy(sessionId: string, proxy: string | null): Promise<SessionView> {
    const rec = this.record(sessionId);
    const before = this.proxyUrl(sessionId);
    await this.settingsFile().setProxy(sessionId, proxy);
    const live = rec.desired === 'running' && rec.ended === null && rec.actor.internal.phase !== 'none';
    if (this.proxyUrl(sessionId) !== before && live && this.records.get(sessionId) === rec) {
      this.log.info({ sessionId, proxy: rec.actor.view().proxy }, 'session proxy changed: restarting its host');
      return this.restart(sessionId);
    }
    return rec.actor.view();
  }

  /** The proxy URL (credentials included) a new host of the session gets; undefined = direct. */
  proxyUrl(sessionId: string): string | undefined {
    return effectiveProxy(this.deps.settings?.proxyOf(sessionId), this.deps.defaultProxy)?.url;
  }

  /** Stops the host (no logout) and forgets the session. Resolves once its host has exited. */
  async remove(sessionId: string): Promise<void> {
    const rec = this.record(sessionId);
    const done = rec.actor.until((s) => s.state.phase === 'none' && !rec.actor.hostRunning);
    rec.actor.remove();
    await done;
    this.records.delete(sessionId);
    this.persist();
    await this.deps.settings?.forget(sessionId).catch((err: unknown) => this.log.warn({ err, sessionId }, 'could not drop the settings of a deleted session'));
  }

  restart(sessionId: string): SessionView {
    const rec = this.record(sessionId);
    rec.desired = 'running';
    rec.ended = null;
    rec.actor.restart();
    this.persist();
    return rec.actor.view();
  }

  disconnect(sessionId: string): SessionView {
    const rec = this.record(sessionId);
    rec.desired = 'stopped';
    rec.actor.disconnect();
    this.persist();
    return rec.actor.view();
  }

  logout(sessionId: string): SessionView {
    const rec = this.record(sessionId);
    rec.desired = 'stopped';
    // `ended` follows once a host reports `logged_out`; until then the logout may be pending.
    rec.actor.logout();
    this.persist();
    return rec.actor.view();
  }

  /** `messageId`: the WhatsApp id to send under (idempotent sends choose it before the host sees it). */
  send(sessionId: string, to: string, message: OutgoingMessage, messageId?: string): Promise<SendResult> {
    return this.record(sessionId).actor.send(to, message, messageId);
  }

  act(sessionId: string, to: string, act: ChatAction): Promise<ActionResult> {
    return this.record(sessionId).actor.act(to, act);
  }

  checkContact(sessionId: string, phone: string): Promise<ContactCheck> {
    return this.record(sessionId).actor.checkContact(phone);
  }

  requestPairingCode(sessionId: string, phone: string, waitMs: number): Promise<PairingCodeOffer> {
    return this.record(sessionId).actor.requestPairingCode(phone, waitMs);
  }

  // ------------------------------------------------------------------ reading

  get(sessionId: string): SessionView | undefined {
    return this.records.get(sessionId)?.actor.view();
  }

  status(sessionId: string): SessionView {
    return this.record(sessionId).actor.view();
  }

  list(): SessionView[] {
    return [...this.records.values()].map((r) => r.actor.view());
  }

  actor(sessionId: string): SessionActor | undefined {
    return this.records.get(sessionId)?.actor;
  }

  actors(): SessionActor[] {
    return [...this.records.values()].map((r) => r.actor);
  }

  get size(): number {
    return this.records.size;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Live host pids by session (metrics sample their memory and CPU). */
  hostPids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, r] of this.records) {
      const pid = r.actor.pid;
      if (pid !== null) out.set(id, pid);
    }
    return out;
  }

  /**
   * Where hosts' incoming messages are committed before the host may receipt them (the outbox's
   * `admitIncoming`, wired by app.ts once the outbox exists). Unset: nothing durable to wait for.
   */
  admitIncomingWith(gate: IncomingGate | undefined): void {
    this.incomingGate = gate;
  }

  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fans an event out (the recovery runner reports through here too). */
  publish(event: SessionEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error({ err, kind: event.kind }, 'session event listener threw');
      }
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Graceful shutdown: refuse new commands, stop every host in parallel (each flushes its
   * snapshot; never a logout), wait for all of them. Each stop ends in SIGKILL after two
   * HOST_STOP_TIMEOUT_MS deadlines, so this always completes. The registry file keeps what
   * the operator wanted, so the next start recovers the same sessions.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    const actors = this.actors();
    for (const a of actors) a.disconnect();
    await Promise.all(actors.map((a) => a.onIdle()));
    await this.deps.file?.flushed();
  }

  /** Second signal: SIGKILL every host at once. */
  killAll(): void {
    this.closing = true;
    for (const a of this.actors()) a.killHost();
  }

  /** Resolves when no session has a host process. */
  async onAllStopped(): Promise<void> {
    await Promise.all(this.actors().map((a) => a.onIdle()));
  }

  // ------------------------------------------------------------------ internals

  private makeActor(spec: SessionSpec, ended: Record_['ended']): SessionActor {
    const sessionId = spec.sessionId;
    return new SessionActor({
      spec,
      ended,
      policy: this.deps.policy,
      host: this.deps.host,
      makeInit: this.deps.makeInit,
      ...(this.deps.markLogout ? { markLogout: this.deps.markLogout } : {}),
      logoutPending: this.deps.logoutPending?.(sessionId) ?? false,
      logger: this.log,
      metrics: this.deps.metrics,
      proxy: () => effectiveProxy(this.deps.settings?.proxyOf(sessionId), this.deps.defaultProxy)?.view ?? null,
      ...(this.deps.takeSpare ? { takeSpare: this.deps.takeSpare } : {}),
      emit: (event) => this.onActorEvent(sessionId, event),
      admitIncoming: (id, messages) => (this.incomingGate ? { fresh: this.incomingGate(id, messages), stored: true } : { fresh: [...messages], stored: false }),
      onRemoved: () => undefined,
    });
  }

  private onActorEvent(sessionId: string, event: SessionEvent): void {
    if (event.kind === 'status' && STICKY.has(event.status) && !this.closing) {
      const rec = this.records.get(sessionId);
      if (rec) {
        rec.desired = 'stopped';
        rec.ended = { status: event.status, reason: event.reason ?? null };
        this.persist();
      }
    }
    this.publish(event);
  }

  private record(sessionId: string): Record_ {
    this.assertOpen();
    const rec = this.records.get(sessionId);
    if (!rec) throw new WorkerError('SESSION_NOT_FOUND', `session ${sessionId} is not hosted on this worker`, { details: { sessionId } });
    return rec;
  }

  private assertCapacity(): void {
    if (this.records.size >= this.deps.maxSessions) {
      throw new WorkerError('MAX_SESSIONS_REACHED', `this worker already hosts ${this.records.size} sessions (MAX_SESSIONS=${this.deps.maxSessions})`, { details: { maxSessions: this.deps.maxSessions } });
    }
  }

  private settingsFile(): SessionSettingsFile {
    if (!this.deps.settings) throw new WorkerError('SESSION_SETTINGS_UNAVAILABLE', 'this worker keeps no per-session settings');
    return this.deps.settings;
  }

  private assertOpen(): void {
    if (this.closing) throw new WorkerError('SHUTTING_DOWN', 'the worker is shutting down and takes no session commands');
  }

  /** Standalone: rewrite the registry file (coalesced, atomic). Never during shutdown. */
  private persist(): void {
    if (!this.deps.file || this.closing) return;
    const entries: RegistryEntry[] = [...this.records.entries()].map(([sessionId, r]) => ({
      sessionId,
      userId: r.actor.view().userId,
      name: r.actor.view().name,
      createdAt: r.createdAt,
      desired: r.desired,
      ended: r.ended,
    }));
    this.deps.file.save(entries).catch((err: unknown) => this.log.error({ err, path: this.deps.file?.path }, 'could not write the session registry file'));
  }
}
