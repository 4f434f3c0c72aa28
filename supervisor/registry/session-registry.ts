import type { ChildProcess } from 'node:child_process';
import { WorkerError } from '../../src/errors.js';
import type { ActionResult, ChatAction, ContactCheck, IncomingMessage, OutgoingMessage, PairingCodeOffer, SendResult } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import { assertSessionId } from '../../src/session-id.js';
import type { SessionEvent, SessionSpec, SessionView } from '../../src/session-view.js';
import { SessionActor, type HostSettings } from '../actor/session-actor.js';
import { mayRecover, WANTED_RUNNING, type DurableState, type Policy } from '../actor/transitions.js';
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

/** One indexed session: its actor (which owns all of its state) and when it was first created. */
interface IndexedSession {
  actor: SessionActor;
  createdAt: string;
}

/**
 * The supervisor's programmatic interface (what the HTTP API and the backend client call): one
 * actor per session, created, commanded and listed here. Each actor owns its session's state, the
 * durable part (what the operator wants, how it ended) included; the registry reads it only through
 * the actor's public getters. It persists (standalone) through one path, `persist()`, run when what
 * the file mirrors changes: the index (create, remove, a new owner or name) or an actor's durable
 * state (the actor reports it); a command itself never writes.
 * Actors report back through events, which the registry fans out to subscribers in order.
 */
export class SessionRegistry {
  private readonly records = new Map<string, IndexedSession>();
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
      // Mirrors the file: nothing to write back.
      const actor = this.makeActor({ sessionId: e.sessionId, userId: e.userId, name: e.name }, { intent: e.desired, ended: e.ended });
      this.records.set(e.sessionId, { actor, createdAt: e.createdAt });
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
      if (existing.actor.updateSpec(spec)) this.persist();
      // Recovery brings back only what the operator wanted running and has not ended; an explicit
      // create of an ended session means "run it again" (the actor clears the end; a quarantine
      // still needs an operator restart).
      const isRecovery = options.isRecovery ?? false;
      if (options.start !== false && existing.actor.idle && (!isRecovery || mayRecover(existing.actor.durable))) existing.actor.start(isRecovery);
      return existing.actor;
    }
    this.assertCapacity();
    const actor = this.makeActor(spec, WANTED_RUNNING);
    this.records.set(sessionId, { actor, createdAt: new Date().toISOString() });
    this.persist();
    if (options.start !== false) actor.start(options.isRecovery ?? false);
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
    if (this.proxyUrl(sessionId) !== before && rec.actor.hostWanted && this.records.get(sessionId) === rec) {
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
    const done = rec.actor.onIdle();
    rec.actor.remove();
    await done;
    this.records.delete(sessionId);
    this.persist();
    await this.deps.settings?.forget(sessionId).catch((err: unknown) => this.log.warn({ err, sessionId }, 'could not drop the settings of a deleted session'));
  }

  restart(sessionId: string): SessionView {
    const { actor } = this.record(sessionId);
    actor.restart();
    return actor.view();
  }

  disconnect(sessionId: string): SessionView {
    const { actor } = this.record(sessionId);
    actor.disconnect();
    return actor.view();
  }

  logout(sessionId: string): SessionView {
    const { actor } = this.record(sessionId);
    actor.logout();
    return actor.view();
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
    for (const a of actors) a.shutdown();
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

  private makeActor(spec: SessionSpec, durable: DurableState): SessionActor {
    const sessionId = spec.sessionId;
    return new SessionActor({
      spec,
      durable,
      onDurableChange: () => this.persist(),
      policy: this.deps.policy,
      host: this.deps.host,
      makeInit: this.deps.makeInit,
      ...(this.deps.markLogout ? { markLogout: this.deps.markLogout } : {}),
      logoutPending: this.deps.logoutPending?.(sessionId) ?? false,
      logger: this.log,
      metrics: this.deps.metrics,
      proxy: () => effectiveProxy(this.deps.settings?.proxyOf(sessionId), this.deps.defaultProxy)?.view ?? null,
      ...(this.deps.takeSpare ? { takeSpare: this.deps.takeSpare } : {}),
      emit: (event) => this.publish(event),
      admitIncoming: (id, messages) => (this.incomingGate ? { fresh: this.incomingGate(id, messages), stored: true } : { fresh: [...messages], stored: false }),
      onRemoved: () => undefined,
    });
  }

  private record(sessionId: string): IndexedSession {
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

  /**
   * The one way the registry file is written (standalone; coalesced, atomic): when the index or an
   * actor's durable state changes. Never during shutdown: the file keeps what the operator wanted,
   * so the next start recovers the same sessions.
   */
  private persist(): void {
    if (!this.deps.file || this.closing) return;
    const entries: RegistryEntry[] = [...this.records.entries()].map(([sessionId, { actor, createdAt }]) => {
      const { userId, name } = actor.view();
      return { sessionId, userId, name, createdAt, desired: actor.durable.intent, ended: actor.durable.ended };
    });
    this.deps.file.save(entries).catch((err: unknown) => this.log.error({ err, path: this.deps.file?.path }, 'could not write the session registry file'));
  }
}
