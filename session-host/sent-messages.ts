import { join } from 'node:path';
import { proto } from '@whiskeysockets/baileys';
import { KeyedLog } from '../src/fs/keyed-log.js';
import { sessionFileName } from '../src/session-id.js';

/**
 * This session's recent outgoing messages, durable in `DATA_DIR/sent/<session>.jsonl`
 * (src/fs/keyed-log.ts), keyed by WhatsApp message id:
 *   - a send is recorded `pending` (fsynced) before Baileys sees it, so a retried send with the
 *     same id — after a timeout, a host restart or a supervisor restart — is answered from here and
 *     never sent twice;
 *   - once Baileys has built and sent it, the message itself is kept, so Baileys' `getMessage` can
 *     answer a recipient's retry request (it could not decrypt) even after the host restarted.
 * Bounded: the newest MAX_KEPT messages of the last MAX_AGE_MS; a `pending` one is never dropped.
 */
export type SentStatus = 'pending' | 'sent' | 'failed';

export interface SentRecord {
  jid: string;
  status: SentStatus;
  /** ISO-8601 of the last change. */
  at: string;
  /** `proto.Message`, protobuf bytes as base64; set once Baileys has sent it. */
  message?: string;
  error?: { code: string; message: string };
}

export const MAX_KEPT = 2_000;
export const MAX_AGE_MS = 7 * 24 * 3_600_000;

/** Pure: what a bounded store keeps (insertion order = oldest write first). */
export function retainSent(entries: Array<[string, SentRecord]>, now: number): Array<[string, SentRecord]> {
  const fresh = entries.filter(([, r]) => r.status === 'pending' || now - Date.parse(r.at) <= MAX_AGE_MS);
  const settled = fresh.filter(([, r]) => r.status !== 'pending');
  const drop = new Set(settled.slice(0, Math.max(0, settled.length - MAX_KEPT)).map(([id]) => id));
  return fresh.filter(([id]) => !drop.has(id));
}

export class SentMessages {
  private readonly log: KeyedLog<SentRecord>;

  constructor(dataDir: string, sessionId: string, private readonly now: () => number = Date.now) {
    this.log = new KeyedLog<SentRecord>(join(dataDir, 'sent', `${sessionFileName(sessionId)}.jsonl`), {
      retain: (entries) => retainSent(entries, this.now()),
    });
  }

  get(messageId: string): SentRecord | undefined {
    return this.log.get(messageId);
  }

  /** Recorded in memory at once (a concurrent send of the same id sees it); resolves when durable. */
  begin(messageId: string, jid: string): Promise<void> {
    return this.log.put(messageId, { jid, status: 'pending', at: this.iso() });
  }

  sent(messageId: string, jid: string, message: proto.IMessage | null | undefined): Promise<void> {
    const bytes = message ? Buffer.from(proto.Message.encode(message).finish()).toString('base64') : undefined;
    return this.log.put(messageId, { jid, status: 'sent', at: this.iso(), ...(bytes ? { message: bytes } : {}) });
  }

  failed(messageId: string, jid: string, error: { code: string; message: string }): Promise<void> {
    return this.log.put(messageId, { jid, status: 'failed', at: this.iso(), error });
  }

  /** Baileys' `getMessage`: the content of a message we sent, for a recipient's retry request. */
  content(messageId: string | null | undefined): proto.IMessage | undefined {
    const record = messageId ? this.log.get(messageId) : undefined;
    if (!record?.message) return undefined;
    try {
      return proto.Message.decode(Buffer.from(record.message, 'base64'));
    } catch {
      return undefined;
    }
  }

  /**
   * Sends a previous host left `pending`: it died while Baileys was still preparing them (device
   * lookup, pre-keys, encryption); Baileys resolves right after writing the stanza, so only the
   * instant between that write and this record's update could hide a message that went out.
   * Marked failed; returned so the host reports each as a `failed` message status.
   */
  async failUnfinished(): Promise<Array<{ messageId: string; jid: string }>> {
    const unfinished = this.log.entries().filter(([, r]) => r.status === 'pending');
    for (const [id, r] of unfinished) {
      await this.failed(id, r.jid, { code: 'SEND_INTERRUPTED', message: 'the session host stopped before WhatsApp confirmed the send' });
    }
    return unfinished.map(([messageId, r]) => ({ messageId, jid: r.jid }));
  }

  close(): Promise<void> {
    return this.log.close();
  }

  /** Logged out: the messages cannot be asked for again, and their content must not stay behind. */
  remove(): Promise<void> {
    return this.log.remove();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
