import type { ChildProcess } from 'node:child_process';
import type { HostInit } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import type { SessionProxyView } from '../../src/proxy/proxy-url.js';
import type { SessionEvent, SessionSpec, SessionView } from '../../src/session-view.js';
import type { HostHandleOptions } from '../host/host-handle.js';
import type { Metrics } from '../metrics/registry.js';
import type { AdmitIncoming } from './incoming.js';
import type { ActorState, DurableState, Policy } from './state.js';

/**
 * What a session actor is given by its owner (the registry, or a test), what it reports back
 * through, and what it can be waited on for.
 */

export type HostSettings = Omit<HostHandleOptions, 'sessionId' | 'onEvent' | 'onExit' | 'logger' | 'onBackpressure'>;

export interface ActorDeps {
  spec: SessionSpec;
  /** What an earlier supervisor recorded (standalone registry file); absent: a new session, wanted running. */
  durable?: DurableState | undefined;
  /** The durable state changed (an operator command, or the session ended): the registry persists it. */
  onDurableChange?: ((durable: DurableState) => void) | undefined;
  policy: Policy;
  host: HostSettings;
  makeInit(sessionId: string, isRecovery: boolean, options?: { logoutOnly?: boolean }): HostInit;
  /** Writes the pending-logout marker (src/pending-logout.ts) before any host is told to log out. */
  markLogout?: (sessionId: string) => void;
  /** Whether a logout marker waits in DATA_DIR (seeds the actor's state). */
  logoutPending?: boolean;
  emit(event: SessionEvent): void;
  /** Commits a host's incoming messages before the host may receipt them (incoming.ts); absent: no durable store. */
  admitIncoming?: AdmitIncoming | undefined;
  /** The actor finished its removal (its host has exited). */
  onRemoved(sessionId: string): void;
  logger: Logger;
  /** Host lifecycle, IPC and send counters; absent in tests that do not look at metrics. */
  metrics?: Metrics | undefined;
  /** The session's proxy as shown (redacted); absent = direct. Read at every view. */
  proxy?: () => SessionProxyView | null;
  /** A pre-booted spare host (HOST_SPARES) to start the session on instead of a fresh fork. */
  takeSpare?: () => ChildProcess | undefined;
  now?: () => number;
  random?: () => number;
}

/** What tests and the recovery runner can wait on. */
export interface ActorSnapshot {
  state: ActorState;
  view: SessionView;
}
