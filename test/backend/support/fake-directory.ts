/**
 * In-memory stand-in for the supervisor's registry: the other side of the backend module's
 * boundary (SessionDirectory). Records ensure/release calls; tests drive statuses and events.
 */
import type { SessionDirectory } from '../../../supervisor/backend/contract.js';
import type { SessionEvent, SessionSpec, SessionView } from '../../../src/session-view.js';
import type { SessionStatus } from '../../../src/status.js';

export function view(sessionId: string, over: Partial<SessionView> = {}): SessionView {
  return {
    sessionId,
    userId: null,
    name: null,
    status: 'starting',
    reason: null,
    phoneNumber: null,
    pid: null,
    restarts: 0,
    isRecovered: false,
    qr: null,
    qrExpiresAt: null,
    pairingCode: null,
    pairingCodeExpiresAt: null,
    lastSeen: null,
    connectedAt: null,
    lastCloseCode: null,
    nextRestartAt: null,
    proxy: null,
    ...over,
  };
}

export class MemoryDirectory implements SessionDirectory {
  readonly sessions = new Map<string, SessionView>();
  readonly ensured: SessionSpec[] = [];
  readonly released: string[] = [];
  private listeners = new Set<(e: SessionEvent) => void>();

  list(): SessionView[] {
    return [...this.sessions.values()];
  }

  async ensure(spec: SessionSpec): Promise<void> {
    this.ensured.push(spec);
    if (!this.sessions.has(spec.sessionId)) this.sessions.set(spec.sessionId, view(spec.sessionId, { userId: spec.userId ?? null, name: spec.name ?? null }));
  }

  async release(sessionId: string): Promise<void> {
    this.released.push(sessionId);
    // Stopped and no longer hosted here (auth is the registry's business: kept, never logged out).
    this.sessions.delete(sessionId);
  }

  onEvent(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  setStatus(sessionId: string, status: SessionStatus, over: Partial<SessionView> = {}): void {
    const prev = this.sessions.get(sessionId) ?? view(sessionId);
    this.sessions.set(sessionId, { ...prev, ...over, status });
    this.emit({ kind: 'status', sessionId, status, previous: prev.status, phoneNumber: over.phoneNumber ?? prev.phoneNumber, at: new Date().toISOString(), ...(over.reason ? { reason: over.reason } : {}) });
  }
}
