import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { IncomingMessage } from '../src/ipc/protocol.js';

const MEDIA_TYPES = new Set<IncomingMessage['type']>(['image', 'video', 'audio', 'document', 'sticker']);

/** `sock`: the socket the messages came on (default: the host's open one). */
export type Enrich = (messages: IncomingMessage[], raw: readonly WAMessage[], sock?: WASocket) => Promise<IncomingMessage[]>;

/** Whether any of `messages` carries a medium to download before it is reported. */
export function hasMedia(messages: readonly IncomingMessage[]): boolean {
  return messages.some((m) => MEDIA_TYPES.has(m.type));
}

/**
 * Incoming batches, reported in the order they arrived. A batch with a medium waits for its
 * download (`enrich`, loaded on first use); the batches behind it wait too, so the supervisor
 * never sees a later message before an earlier one. A batch without media goes at once when
 * nothing is ahead of it.
 */
export class IncomingQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly report: (messages: IncomingMessage[]) => void,
    private readonly enrich: () => Promise<Enrich>,
  ) {}

  push(messages: IncomingMessage[], raw: readonly WAMessage[]): void {
    const withMedia = hasMedia(messages);
    if (!withMedia && this.pending === 0) return this.report(messages);
    this.pending++;
    this.tail = this.tail
      .then(async () => this.report(withMedia ? await (await this.enrich())(messages, raw) : messages))
      // `enrich` reports its own failures per message; this is a bug guard, never a silent drop.
      .catch(() => this.report(messages))
      .finally(() => void this.pending--);
  }

  /** Resolves when every batch pushed so far has been reported. */
  idle(): Promise<void> {
    return this.tail;
  }
}
