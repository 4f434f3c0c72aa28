import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import { readAssignmentCache, writeAssignmentCache } from './assignment-cache.js';
import type { SessionDirectory } from './directory.js';
import type { Assignment } from './domain.js';
import type { BackendHttp } from './http.js';
import type { BackendProfile } from './profile.js';
import { planReconcile } from './reconcile.js';

export interface AssignmentSyncOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  dataDir: string;
  directory: SessionDirectory;
  logger: Logger;
}

export type AssignmentSource = 'backend' | 'cache' | 'none';

/**
 * Fetches the backend's assignment list, caches every successful answer in DATA_DIR, and turns a
 * changed list into ensure/release calls on the session directory (release = stop, never logout).
 * `known` is the list last applied: only sessions in it can ever be released.
 */
export class AssignmentSync {
  known = new Set<string>();
  source: AssignmentSource = 'none';
  lastFetchAt: string | null = null;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly o: AssignmentSyncOptions) {}

  async fetch(signal: AbortSignal): Promise<Assignment[]> {
    const res = await this.o.http.call(this.o.profile.assignments(this.o.workerId), { operation: 'assignments', signal, accept: [404] });
    const list = this.o.profile.parseAssignments(res);
    if (list.ignored > 0) this.o.logger.warn({ ignored: list.ignored }, 'backend assigned sessions with invalid ids; ignored');
    this.lastFetchAt = new Date().toISOString();
    this.source = 'backend';
    try {
      await writeAssignmentCache(this.o.dataDir, { workerId: this.o.workerId, profile: this.o.profile.name, fetchedAt: this.lastFetchAt, sessions: list.sessions });
    } catch (err) {
      // A full disk must not stop the worker from following its backend; the next fetch tries again.
      this.o.logger.error({ code: errorCode(err), message: errorMessage(err) }, 'could not write the assignment cache');
    }
    return list.sessions;
  }

  async fromCache(): Promise<Assignment[] | null> {
    const read = await readAssignmentCache(this.o.dataDir, this.o.workerId);
    if (read.kind === 'hit') {
      this.source = 'cache';
      this.o.logger.warn({ sessions: read.cache.sessions.length, fetchedAt: read.cache.fetchedAt }, 'backend unavailable: using cached assignments');
      return read.cache.sessions;
    }
    if (read.kind === 'unusable') this.o.logger.warn({ why: read.why }, 'assignment cache unusable; ignored');
    return null;
  }

  /** Applies a list; calls are serialized so two fetches never interleave their changes. */
  apply(next: readonly Assignment[]): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(next));
    return this.applying;
  }

  private async applyNow(next: readonly Assignment[]): Promise<void> {
    const hosted = new Set(this.o.directory.list().map((s) => s.sessionId));
    const plan = planReconcile(this.known, next, hosted);
    this.known = new Set(next.map((a) => a.sessionId));
    for (const id of plan.release) {
      this.o.logger.info({ sessionId: id }, 'session no longer assigned: stopping it (auth kept)');
      await this.o.directory.release(id).catch((err: unknown) => this.o.logger.error({ sessionId: id, code: errorCode(err), message: errorMessage(err) }, 'release failed'));
    }
    for (const a of plan.ensure) {
      this.o.logger.info({ sessionId: a.sessionId }, 'session assigned: starting it');
      await this.o.directory
        .ensure({ sessionId: a.sessionId, userId: a.userId, name: a.name })
        .catch((err: unknown) => this.o.logger.error({ sessionId: a.sessionId, code: errorCode(err), message: errorMessage(err) }, 'ensure failed'));
    }
  }
}
