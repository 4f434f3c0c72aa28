import { join } from 'node:path';
import { rebuildError } from '../../src/error-codes.js';
import { WorkerError, errorCode, errorMessage } from '../../src/errors.js';
import { KeyedLog } from '../../src/fs/keyed-log.js';
import type { OutgoingMessage, SendResult } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import { newMessageId } from '../../src/message-id.js';
import { sessionFileName } from '../../src/session-id.js';
import { decide, fingerprintOf, judgeError, pendingResult, retainKeys, type IdempotencyRecord } from './idempotency.js';

/** One send through a session's host under a chosen message id (the registry's `send`). */
export type SendThroughHost = (sessionId: string, to: string, message: OutgoingMessage, messageId: string) => Promise<SendResult>;

export interface SendAnswer extends SendResult {
  /** True when the answer repeats what an earlier request with the same key started. */
  replayed: boolean;
}

/**
 * Sends with or without an idempotency key (rules: idempotency.ts). The records live in
 * `DATA_DIR/idempotency/<session>.jsonl`, each fsynced before the host is asked, so they hold
 * across host restarts and supervisor restarts (`kill -9` included).
 */
export class IdempotentSends {
  private readonly logs = new Map<string, KeyedLog<IdempotencyRecord>>();

  constructor(
    private readonly dataDir: string,
    private readonly sendThroughHost: SendThroughHost,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async send(sessionId: string, to: string, message: OutgoingMessage, key?: string): Promise<SendAnswer> {
    if (key === undefined) return this.attempt(sessionId, to, message, { messageId: newMessageId(), createdAt: this.now() });
    const log = this.log(sessionId);
    const fingerprint = fingerprintOf(to, message);
    const decision = decide(log.get(key), fingerprint, this.now());
    switch (decision.kind) {
      case 'mismatch':
        throw new WorkerError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different send of this session in the last 24 hours', { details: { messageId: decision.record.messageId } });
      case 'replay':
        return replay(decision.record);
      case 'resume':
        return this.attempt(sessionId, to, message, decision.record, { log, key, resumed: true });
      case 'new': {
        const record: IdempotencyRecord = { fingerprint, messageId: newMessageId(), status: 'pending', createdAt: this.now() };
        await log.put(key, record);
        return this.attempt(sessionId, to, message, record, { log, key, resumed: false });
      }
    }
  }

  /** The session was deleted: its keys go with it. */
  async forget(sessionId: string): Promise<void> {
    const log = this.log(sessionId);
    this.logs.delete(sessionId);
    // The deletion itself already happened; a leftover file only expires later.
    await log.remove().catch((err: unknown) => this.logger.error({ err, sessionId }, 'could not delete the idempotency records of a deleted session'));
  }

  async close(): Promise<void> {
    await Promise.all([...this.logs.values()].map((l) => l.close()));
    this.logs.clear();
  }

  private async attempt(
    sessionId: string,
    to: string,
    message: OutgoingMessage,
    record: Pick<IdempotencyRecord, 'messageId' | 'createdAt'> & Partial<IdempotencyRecord>,
    keyed?: { log: KeyedLog<IdempotencyRecord>; key: string; resumed: boolean },
  ): Promise<SendAnswer> {
    const replayed = keyed?.resumed ?? false;
    let result: SendResult;
    try {
      result = await this.sendThroughHost(sessionId, to, message, record.messageId);
    } catch (err) {
      const code = errorCode(err);
      const verdict = judgeError(code);
      if (verdict === 'unknown') {
        this.logger.warn({ sessionId, messageId: record.messageId, code }, 'send outcome unknown; answered pending');
        return { ...pendingResult(record, to), replayed };
      }
      if (keyed && verdict === 'failed') {
        await this.save(keyed, { ...(record as IdempotencyRecord), status: 'failed', error: { code, message: errorMessage(err) } });
      } else if (keyed && verdict === 'not-sent') {
        // Nothing went out. A first attempt leaves no record (a retry may send); a resumed one
        // keeps its record: an earlier attempt may still be on its way.
        if (keyed.resumed) return { ...pendingResult(record, to), replayed };
        await keyed.log.delete(keyed.key).catch((e: unknown) => this.logger.error({ err: e }, 'could not drop an idempotency record'));
      }
      throw err;
    }
    if (keyed) await this.save(keyed, { ...(record as IdempotencyRecord), status: result.status, result });
    return { ...result, replayed };
  }

  private async save(keyed: { log: KeyedLog<IdempotencyRecord>; key: string }, record: IdempotencyRecord): Promise<void> {
    // The outcome already happened; failing to record it must not turn it into an error answer.
    await keyed.log.put(keyed.key, record).catch((err: unknown) => this.logger.error({ err, messageId: record.messageId }, 'could not record a send outcome'));
  }

  private log(sessionId: string): KeyedLog<IdempotencyRecord> {
    let log = this.logs.get(sessionId);
    if (!log) {
      log = new KeyedLog<IdempotencyRecord>(join(this.dataDir, 'idempotency', `${sessionFileName(sessionId)}.jsonl`), {
        retain: (entries) => retainKeys(entries, this.now()),
      });
      this.logs.set(sessionId, log);
    }
    return log;
  }
}

function replay(record: IdempotencyRecord): SendAnswer {
  if (record.status === 'failed') {
    throw rebuildError(record.error?.code ?? 'SEND_FAILED', record.error?.message ?? 'the send failed', { messageId: record.messageId });
  }
  return { ...(record.result as SendResult), replayed: true };
}
