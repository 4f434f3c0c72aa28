import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DeadlineError } from '../../../src/deadline.js';
import { WorkerError } from '../../../src/errors.js';
import type { SessionActor } from '../../../supervisor/actor/session-actor.js';
import { RecoveryRunner } from '../../../supervisor/recovery/recovery-runner.js';

/**
 * How the runner tells a deadline from a failure. A real actor's wait fails only at its deadline
 * today, so these tests hand the runner a stand-in actor whose wait fails as told (the only mock
 * here; test/supervisor/recovery.test.ts runs real hosts through the same paths).
 */
function standIn(waitFails: Error): SessionActor {
  const view = { status: 'starting', phoneNumber: null, reason: null };
  return { sessionId: 's1', incarnation: 0, status: 'starting', view: () => view, until: () => Promise.reject(waitFails) } as unknown as SessionActor;
}

async function recoverWith(waitFails: Error) {
  const actor = standIn(waitFails);
  const runner = new RecoveryRunner(
    { actorFor: () => actor, start: () => undefined, retry: () => undefined, publish: () => undefined },
    { concurrency: 1, timeoutMs: 50, maxAttempts: 3, retryDelayMs: 0, logger: pino({ level: 'silent' }) },
  );
  const [result] = await runner.run([{ spec: { sessionId: 's1' } }]);
  return { result: result!, progress: runner.progress() };
}

describe('recovery runner errors', () => {
  it('the deadline of an attempt is a timeout', async () => {
    const { result } = await recoverWith(new DeadlineError('s1 recovery', 50));
    expect(result).toMatchObject({ outcome: 'failed', reason: 'timeout', status: 'starting', attempts: 1 });
    expect(result.error).toMatch(/^no final state within 50 ms/);
  });

  it('any other failure of the wait is reported as what it is, with its code, not as a timeout', async () => {
    const { result, progress } = await recoverWith(new WorkerError('HOST_CHANNEL_CLOSED', 'the channel closed'));
    expect(result).toMatchObject({ outcome: 'failed', reason: 'unknown', attempts: 1, error: 'HOST_CHANNEL_CLOSED: the channel closed' });
    expect(progress).toMatchObject({ phase: 'done', done: 1, failed: 1, inFlight: 0 });
  });
});
