import pRetry from 'p-retry';
import { pRetryTiming, type Backoff } from '../../src/backoff.js';
import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import { readAssignmentCache, writeAssignmentCache } from './assignment-cache.js';
import type { Assignment, BackendProfile, SessionDirectory } from './contract.js';
import type { BackendHttp } from './http.js';
import { planReconcile } from './reconcile.js';

export interface AssignmentSyncOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  dataDir: string;
  directory: SessionDirectory;
  logger: Logger;
  /** A fetch answered BACKEND_WORKER_UNKNOWN: the backend forgot this worker (the owner registers again). */
  onWorkerUnknown: () => void;
}

export type AssignmentSource = 'backend' | 'cache' | 'none';

/**
 * Fetches the backend's assignment list, caches what the worker follows in DATA_DIR, and turns a
 * changed list into ensure/release calls on the session directory (release = stop, never logout).
 * `known` is what the worker follows: only sessions in it can ever be released, and one answer
 * that leaves a hosted session out only marks it (`missing`); the second answer in a row releases
 * it (issue 13 §6). An answer that does not parse never reaches `apply`: sessions and cache stay.
 */
export class AssignmentSync {
  #known = new Set<string>();
  #source: AssignmentSource = 'none';
  #lastFetchAt: string | null = null;
  /** Hosted sessions the last answer left out; released if the next answer leaves them out too. */
  private missing = new Set<string>();
  /** The last entry seen for each followed session (kept sessions stay in the cache with it). */
  private readonly entries = new Map<string, Assignment>();
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly o: AssignmentSyncOptions) {}

  /** Where the list the worker follows came from (shown in /health). */
  get source(): AssignmentSource {
    return this.#source;
  }

  get lastFetchAt(): string | null {
    return this.#lastFetchAt;
  }

  /** How many sessions the worker follows: the backend's list plus those kept for one more answer. */
  get followed(): number {
    return this.#known.size;
  }

  /** One backend answer, parsed; throws on no answer and on an answer that is not a list. */
  async fetch(signal: AbortSignal): Promise<Assignment[]> {
    const res = await this.o.http.call(this.o.profile.assignments(this.o.workerId), { operation: 'assignments', signal, accept: [404] });
    const list = this.o.profile.parseAssignments(res);
    if (list.ignored > 0) this.o.logger.warn({ ignored: list.ignored }, 'backend assigned sessions with invalid ids; ignored');
    this.#lastFetchAt = new Date().toISOString();
    this.#source = 'backend';
    return list.sessions;
  }

  /** One periodic fetch and reconcile. Never throws: a failure is logged, or reported as an unknown worker. */
  async refresh(signal: AbortSignal): Promise<void> {
    try {
      const list = await this.fetch(signal);
      if (signal.aborted) return;
      await this.apply(list);
    } catch (err) {
      if (errorCode(err) === 'BACKEND_WORKER_UNKNOWN') this.o.onWorkerUnknown();
      else if (!signal.aborted) this.o.logger.warn({ code: errorCode(err), message: errorMessage(err) }, 'periodic assignments fetch failed');
    }
  }

  /**
   * Fetch and reconcile until the backend answers (p-retry, `backoff` from src/backoff.ts); true
   * once a list was applied, false when `signal` stopped it first. Never throws.
   */
  async refreshUntilAnswered(signal: AbortSignal, backoff: Pick<Backoff, 'initialMs' | 'maxMs'>): Promise<boolean> {
    try {
      const list = await pRetry(
        async () => {
          const answer = await this.fetch(signal);
          await this.apply(answer);
          return answer;
        },
        {
          retries: Number.POSITIVE_INFINITY,
          ...pRetryTiming(backoff),
          signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (signal.aborted) return;
            if (errorCode(error) === 'BACKEND_WORKER_UNKNOWN') this.o.onWorkerUnknown();
            this.o.logger.warn({ attempt: attemptNumber, code: errorCode(error), message: errorMessage(error) }, 'assignments fetch failed; retrying');
          },
        },
      );
      this.o.logger.info({ sessions: list.length }, 'backend reachable again: assignments reconciled');
      return true;
    } catch (err) {
      // Stopped: the abort ends the loop. Anything else is a bug in fetch or apply, not a backend answer.
      if (!signal.aborted) this.o.logger.error({ code: errorCode(err), message: errorMessage(err) }, 'assignments catch-up ended without an answer');
      return false;
    }
  }

  async fromCache(): Promise<Assignment[] | null> {
    const read = await readAssignmentCache(this.o.dataDir, this.o.workerId);
    if (read.kind === 'hit') {
      this.#source = 'cache';
      this.o.logger.warn({ sessions: read.cache.sessions.length, fetchedAt: read.cache.fetchedAt }, 'backend unavailable: using cached assignments');
      return read.cache.sessions;
    }
    if (read.kind === 'unusable') this.o.logger.warn({ why: read.why }, 'assignment cache unusable; ignored');
    return null;
  }

  /** The start list (recovered by the caller, not applied here); cached when it came from the backend. */
  async adopt(list: readonly Assignment[]): Promise<void> {
    this.#known = new Set(list.map((a) => a.sessionId));
    this.entries.clear();
    for (const a of list) this.entries.set(a.sessionId, a);
    this.missing.clear();
    if (this.#source === 'backend') await this.writeCache();
  }

  /** Applies a list; calls are serialized so two fetches never interleave their changes. */
  apply(next: readonly Assignment[]): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(next));
    return this.applying;
  }

  private async applyNow(next: readonly Assignment[]): Promise<void> {
    const hosted = new Set(this.o.directory.list().map((s) => s.sessionId));
    const plan = planReconcile(this.#known, next, hosted, this.missing);
    for (const id of plan.missing) this.o.logger.warn({ sessionId: id }, 'session left out of the assignments once: kept until the next answer confirms it');
    this.missing = new Set(plan.missing);
    this.#known = new Set([...next.map((a) => a.sessionId), ...plan.missing]);
    for (const a of next) this.entries.set(a.sessionId, a);
    for (const id of [...this.entries.keys()]) if (!this.#known.has(id)) this.entries.delete(id);
    await this.writeCache();
    for (const id of plan.release) {
      this.o.logger.info({ sessionId: id }, 'session no longer assigned (two answers in a row): stopping it (auth kept)');
      await this.o.directory.release(id).catch((err: unknown) => this.o.logger.error({ sessionId: id, code: errorCode(err), message: errorMessage(err) }, 'release failed'));
    }
    for (const a of plan.ensure) {
      this.o.logger.info({ sessionId: a.sessionId }, 'session assigned: starting it');
      await this.o.directory
        .ensure({ sessionId: a.sessionId, userId: a.userId, name: a.name })
        .catch((err: unknown) => this.o.logger.error({ sessionId: a.sessionId, code: errorCode(err), message: errorMessage(err) }, 'ensure failed'));
    }
  }

  /** The cache holds what the worker follows: the backend's list plus sessions kept for one more answer. */
  private async writeCache(): Promise<void> {
    try {
      await writeAssignmentCache(this.o.dataDir, { workerId: this.o.workerId, profile: this.o.profile.name, fetchedAt: this.#lastFetchAt ?? new Date().toISOString(), sessions: [...this.entries.values()] });
    } catch (err) {
      // A full disk must not stop the worker from following its backend; the next answer tries again.
      this.o.logger.error({ code: errorCode(err), message: errorMessage(err) }, 'could not write the assignment cache');
    }
  }
}
